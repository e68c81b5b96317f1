{{/* Names and labels. */}}
{{- define "shop.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "shop.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "shop.selectorLabels" -}}
app.kubernetes.io/name: {{ include "shop.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Labels of a component: include "shop.labels" (dict "root" $ "component" "web"). */}}
{{- define "shop.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{ include "shop.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: {{ include "shop.name" .root }}
{{- end -}}

{{- define "shop.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "shop.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "shop.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "shop.secretName" -}}
{{- default (include "shop.fullname" .) .Values.existingSecret -}}
{{- end -}}

{{/* Host names Django accepts: the ingress hosts, then config.allowedHosts. */}}
{{- define "shop.allowedHosts" -}}
{{- $hosts := list -}}
{{- if .Values.ingress.enabled -}}{{- $hosts = concat $hosts .Values.ingress.hosts -}}{{- end -}}
{{- $hosts = concat $hosts .Values.config.allowedHosts | uniq -}}
{{- if not $hosts -}}
{{- fail "No host name to serve: set ingress.hosts (with ingress.enabled) or config.allowedHosts." -}}
{{- end -}}
{{- join "," $hosts -}}
{{- end -}}

{{/* The probes send a Host header Django accepts (it refuses the pod's IP). */}}
{{- define "shop.probeHost" -}}
{{- include "shop.allowedHosts" . | splitList "," | first -}}
{{- end -}}

{{- define "shop.csrfTrustedOrigins" -}}
{{- $origins := list -}}
{{- if .Values.ingress.enabled -}}
{{- range .Values.ingress.hosts -}}{{- $origins = append $origins (printf "https://%s" .) -}}{{- end -}}
{{- end -}}
{{- join "," (concat $origins .Values.config.csrfTrustedOrigins | uniq) -}}
{{- end -}}

{{/* The shop's public address. */}}
{{- define "shop.publicUrl" -}}
{{- if .Values.config.adminBaseUrl -}}
{{- .Values.config.adminBaseUrl -}}
{{- else -}}
{{- printf "%s://%s" (ternary "https" "http" (and .Values.ingress.enabled .Values.ingress.tls.enabled)) (include "shop.probeHost" .) -}}
{{- end -}}
{{- end -}}

{{/* More than one web pod may run at once. */}}
{{- define "shop.webScalesOut" -}}
{{- if .Values.web.autoscaling.enabled -}}
{{- if gt (int .Values.web.autoscaling.maxReplicas) 1 -}}true{{- end -}}
{{- else if gt (int .Values.web.replicas) 1 -}}true{{- end -}}
{{- end -}}

{{/* Media on a volume that only one node (one pod) can mount. */}}
{{- define "shop.mediaOnOneNode" -}}
{{- if and (eq .Values.media.storage "filesystem") (has .Values.media.persistence.accessMode (list "ReadWriteOnce" "ReadWriteOncePod")) -}}true{{- end -}}
{{- end -}}

{{/* Refuses settings that cannot work; included by every workload template. */}}
{{- define "shop.validate" -}}
{{- if and (include "shop.mediaOnOneNode" .) (include "shop.webScalesOut" .) -}}
{{- fail (printf "media.persistence.accessMode %s mounts on one node only: set web.replicas to 1 and web.autoscaling.enabled to false (or web.autoscaling.maxReplicas to 1), or use accessMode ReadWriteMany or media.storage s3." .Values.media.persistence.accessMode) -}}
{{- end -}}
{{- if and (eq .Values.media.storage "s3") (not .Values.media.s3.bucket) -}}
{{- fail "media.storage s3 needs media.s3.bucket." -}}
{{- end -}}
{{- if and .Values.postgresql.bundled.enabled .Values.postgresql.external.url -}}
{{- fail "postgresql.bundled.enabled and postgresql.external.url exclude each other." -}}
{{- end -}}
{{- if and .Values.redis.bundled.enabled .Values.redis.external.url -}}
{{- fail "redis.bundled.enabled and redis.external.url exclude each other." -}}
{{- end -}}
{{- if and .Values.web.autoscaling.enabled (gt (int .Values.web.autoscaling.minReplicas) (int .Values.web.autoscaling.maxReplicas)) -}}
{{- fail "web.autoscaling.minReplicas is above maxReplicas." -}}
{{- end -}}
{{- if and .Values.worker.autoscaling.enabled (gt (int .Values.worker.autoscaling.minReplicas) (int .Values.worker.autoscaling.maxReplicas)) -}}
{{- fail "worker.autoscaling.minReplicas is above maxReplicas." -}}
{{- end -}}
{{- end -}}

{{/* A secret value given in values, else the one already stored, else random. */}}
{{- define "shop.keptSecret" -}}
{{- if .value -}}
{{- .value -}}
{{- else -}}
{{- $existing := lookup "v1" "Secret" .root.Release.Namespace (include "shop.fullname" .root) -}}
{{- if and $existing (hasKey $existing.data .key) -}}
{{- index $existing.data .key | b64dec -}}
{{- else -}}
{{- randAlphaNum 50 -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "shop.postgresqlHost" -}}
{{- printf "%s-postgresql" (include "shop.fullname" .) -}}
{{- end -}}

{{- define "shop.redisHost" -}}
{{- printf "%s-redis" (include "shop.fullname" .) -}}
{{- end -}}

{{/* Pod-level security: the shop image's non-root user (10001; the bundled
PostgreSQL and Redis images run as any user too), RuntimeDefault seccomp. */}}
{{- define "shop.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "shop.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
privileged: false
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/*
The pod spec every shop process shares (web, worker, beat, migrate):
include "shop.podSpec" (dict "root" $ "component" "web" "args" (list "web")
"values" .Values.web "ports" list "probes" yaml "volumes" yaml "volumeMounts" yaml
"affinity" dict "restartPolicy" "" "terminationGracePeriodSeconds" int); `args`
go to the image's entry point (its first: web, worker, beat or migrate).
*/}}
{{- define "shop.podSpec" -}}
{{- $root := .root -}}
serviceAccountName: {{ include "shop.serviceAccountName" $root }}
automountServiceAccountToken: false
{{- with $root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .restartPolicy }}
restartPolicy: {{ . }}
{{- end }}
{{- with .terminationGracePeriodSeconds }}
terminationGracePeriodSeconds: {{ . }}
{{- end }}
securityContext:
  {{- include "shop.podSecurityContext" . | nindent 2 }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
containers:
  - name: {{ .component }}
    image: {{ include "shop.image" $root }}
    imagePullPolicy: {{ $root.Values.image.pullPolicy }}
    args:
      {{- toYaml .args | nindent 6 }}
    envFrom:
      - configMapRef:
          name: {{ include "shop.fullname" $root }}
      - secretRef:
          name: {{ include "shop.secretName" $root }}
    {{- with .ports }}
    ports:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    {{- with .probes }}
    {{- . | nindent 4 }}
    {{- end }}
    resources:
      {{- toYaml .values.resources | nindent 6 }}
    securityContext:
      {{- include "shop.containerSecurityContext" . | nindent 6 }}
    volumeMounts:
      - name: tmp
        mountPath: /tmp
      {{- with .volumeMounts }}
      {{- . | nindent 6 }}
      {{- end }}
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: 1Gi
  {{- with .volumes }}
  {{- . | nindent 2 }}
  {{- end }}
{{- end -}}

{{/* prometheus.io annotations of the pods that serve metrics. */}}
{{- define "shop.metricsAnnotations" -}}
{{- if .Values.metrics.enabled -}}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .Values.metrics.port | quote }}
prometheus.io/path: /metrics
{{- end }}
{{- end -}}

{{/* Pods roll when their settings change. */}}
{{- define "shop.configChecksum" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end -}}

{{/*
The chart's ConfigMap and Secret are hooks created before the migrations Job
(a pre-install hook runs before the release's ordinary resources exist); they
are replaced on every upgrade and rollback, and left in place by `helm uninstall`.
*/}}
{{- define "shop.settingsHookAnnotations" -}}
helm.sh/hook: pre-install,pre-upgrade,pre-rollback
helm.sh/hook-weight: "-10"
helm.sh/hook-delete-policy: before-hook-creation
{{- end -}}

{{/* checkov skips shared by the shop's workloads (annotations), each with its reason. */}}
{{- define "shop.checkovSkips" -}}
checkov.io/skip10: CKV_K8S_35=Django reads its settings, secrets included, from environment variables; the image has no file-based settings loader.
{{- if not .Values.image.digest }}
checkov.io/skip11: CKV_K8S_43=image.digest is empty, so the image is pinned by its tag; set image.digest to pin it by content.
{{- end }}
{{- if not .Values.networkPolicy.enabled }}
{{ include "shop.checkovNetworkPolicySkip" . }}
{{- end }}
{{- end -}}

{{- define "shop.checkovNetworkPolicySkip" -}}
checkov.io/skip12: CKV2_K8S_6=networkPolicy.enabled is false, so the cluster's own NetworkPolicies must cover these pods.
{{- end -}}
