import pytest


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Browser tests run Debian's chromium (.ci/ensure-services installs it):
    nothing is downloaded, and nothing in the background reaches the network.
    pytest-playwright's options (--headed, --slowmo) still apply."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }
