/* The storefront's progressive enhancement; every page works without it.
 *
 * - A product page (an element with data-product-view) tells the recommender
 *   about the view once the page is idle: a deferred beacon to the events API,
 *   so the page render does no extra work and cached pages still count.
 * - A select marked data-autosubmit (the sort order) applies on change.
 * - A post form rendered without a CSRF token (a shareable catalog page: see
 *   shop.core.personal) gets the browser's token when it has one by now (the
 *   beacon above starts a session): with our cookies, a post needs it.
 */
(function () {
  "use strict";

  var EVENTS_URL = "/api/v1/events/";

  function cookie(name) {
    var found = document.cookie.split("; ").filter(function (pair) {
      return pair.indexOf(name + "=") === 0;
    })[0];
    return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
  }

  function sendEvents(events) {
    var headers = { "Content-Type": "application/json" };
    var token = cookie("csrftoken");
    if (token) {
      headers["X-CSRFToken"] = token;
    }
    return fetch(EVENTS_URL, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: headers,
      body: JSON.stringify({ events: events })
    }).catch(function () {
      /* Telemetry never gets in the shopper's way. */
    });
  }

  function whenIdle(callback) {
    if (window.requestIdleCallback) {
      return window.requestIdleCallback(callback, { timeout: 2000 });
    }
    return window.setTimeout(callback, 200);
  }

  var viewed = document.querySelector("[data-product-view]");
  if (viewed) {
    whenIdle(function () {
      sendEvents([{ product: Number(viewed.dataset.productView), kind: "view" }]);
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var token = cookie("csrftoken");
    if (form.method.toLowerCase() !== "post" || !token ||
        form.querySelector("[name=csrfmiddlewaretoken]")) {
      return;
    }
    var field = document.createElement("input");
    field.type = "hidden";
    field.name = "csrfmiddlewaretoken";
    field.value = token;
    form.appendChild(field);
  });

  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      select.form.submit();
    });
  });
})();
