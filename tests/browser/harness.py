"""harness.py - headless Chromium on scrvaultd's pages, for tests/browser/run.py.

The pieces a browser test is made of, each small, so that the passkey
journey (register through a link, sign in, use the pages, sign out) is a
few calls: start_browser, add_authenticator, register_passkey, sign_in,
open_page, go, api (through the pages' own api.js), fetch (a bare one),
record_fetches, console_problems, run_axe, screenshot.  Chromium trusts the vault's CA
through a throwaway NSS database in a temporary HOME (trust_ca), as a
person's browser would trust an installed CA: a certificate error would
make WebAuthn refuse (the browser allows it only on a page whose
certificate it accepts), so no --ignore-certificate-errors.
"""
import base64
import json
import os
import subprocess
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.virtual_authenticator import (
    Protocol, Transport, VirtualAuthenticatorOptions)

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


class TAP:
    """ok N - description lines, numbered from `first`."""

    def __init__(self, first=1):
        self.n = first - 1
        self.count = 0
        self.failed = 0

    def ok(self, cond, desc, diag=None):
        self.n += 1
        self.count += 1
        if not cond:
            self.failed += 1
        print(("ok" if cond else "not ok") + f" {self.n} - {desc}", flush=True)
        if not cond and diag:
            for line in str(diag).splitlines()[:20]:
                print("#   " + line, flush=True)
        return cond

    def skip(self, desc, why):
        self.n += 1
        self.count += 1
        print(f"ok {self.n} - {desc} # SKIP {why}", flush=True)


def serious(violations):
    """axe-core's serious and critical violations, one line each (what the suites fail on)."""
    return [f"{v['id']} ({v['impact']}): {v.get('help', '')} at {[n.get('target') for n in v.get('nodes', [])][:3]}"
            for v in violations if v.get("impact") in ("serious", "critical")]


def trust_ca(home, ca_pem):
    """A fresh NSS database under home/.pki/nssdb trusting ca_pem for TLS servers."""
    db = os.path.join(home, ".pki", "nssdb")
    os.makedirs(db, mode=0o700, exist_ok=True)
    subprocess.run(["certutil", "-N", "-d", "sql:" + db, "--empty-password"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(["certutil", "-A", "-d", "sql:" + db, "-n", "scrvault test vault CA", "-t", "C,,",
                    "-i", ca_pem], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return db


def _loopback_by_address():
    """Selenium finds its chromedriver at "localhost", which a machine without
    /etc/hosts (a bare chroot) cannot resolve; chromedriver listens on the
    loopback address either way, so ask for that instead.  (Chromium itself
    always takes localhost to be the loopback, so the pages keep their origin.)"""
    import socket
    from selenium.webdriver.common import service as _service, utils as _utils
    try:
        socket.getaddrinfo("localhost", None)
        return
    except OSError:
        pass
    plain = _utils.is_connectable
    _utils.is_connectable = lambda port, host="localhost": plain(port, "127.0.0.1")
    _service.Service.service_url = property(lambda self: f"http://127.0.0.1:{self.port}")


def start_browser(home, width=1280, height=900, extra_args=()):
    """Headless Chromium with its profile and NSS db under `home` (HOME for it only)."""
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
              "--no-first-run", "--no-default-browser-check", "--disable-extensions",
              "--disable-background-networking", "--disable-sync", "--disable-component-update",
              "--password-store=basic", f"--user-data-dir={os.path.join(home, 'profile')}",
              f"--window-size={width},{height}", *extra_args):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    env = dict(os.environ, HOME=home)
    service = Service(CHROMEDRIVER, env=env, log_output=os.path.join(home, "chromedriver.log")) \
        if "log_output" in Service.__init__.__code__.co_varnames else \
        Service(CHROMEDRIVER, env=env, log_path=os.path.join(home, "chromedriver.log"))
    _loopback_by_address()
    d = webdriver.Chrome(service=service, options=opts)
    d.set_page_load_timeout(30)
    d.set_script_timeout(30)
    return d


def set_width(d, width, height=900):
    """The viewport's CSS width (320 for the narrowest phone)."""
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500})


def zoomed_width(d, base, route, zoom=2, window=(1280, 800)):
    """Open `route` as in a window of `window` pixels at browser zoom `zoom`
    (200 %: 640 CSS pixels across, each two device pixels): the page's
    scrollWidth and the CSS width it was given."""
    w, h = window[0] // zoom, window[1] // zoom
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": w, "height": h, "deviceScaleFactor": zoom, "mobile": False})
    open_page(d, base, route)
    return d.execute_script("return document.documentElement.scrollWidth"), w


def check_zoom(d, t, base, route, name, shot):
    """WCAG's resize text: the page at 200 % zoom has no sideways scroll."""
    over, w = zoomed_width(d, base, route)
    t.ok(over <= w, f"{name}: works at 200 % zoom (a 1280 px window: {w} CSS px, no sideways scroll)",
         f"scrollWidth {over}")
    screenshot(d, shot)


def send_bearer(d, token):
    """Send Authorization: Bearer TOKEN with every request of the page (for a
    test that needs a key-file session in the browser; the journeys sign in
    with a passkey: register_passkey, sign_in)."""
    d.execute_cdp_cmd("Network.enable", {})
    d.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Authorization": "Bearer " + token}})


def add_authenticator(d):
    """A virtual platform authenticator (CTAP2, internal, resident keys, user
    verification that always succeeds): what navigator.credentials reaches."""
    o = VirtualAuthenticatorOptions()
    o.protocol = Protocol.CTAP2
    o.transport = Transport.INTERNAL
    o.has_resident_key = True
    o.has_user_verification = True
    o.is_user_verified = True
    o.is_user_consenting = True
    d.add_virtual_authenticator(o)
    return d.virtual_authenticator_id


def open_page(d, base, hash_route="", wait_for="#main h1", timeout=15):
    """Open base/#hash_route and wait until the page has drawn its heading
    (the shell's own "scrvault" heading is replaced)."""
    d.get("about:blank")    # a fresh load each time, not a hash change in the same document
    d.get(base + "/" + ("#" + hash_route if hash_route else ""))
    end = time.time() + timeout
    while time.time() < end:
        text = d.execute_script(
            "const h = document.querySelector(arguments[0]);"
            "return document.getElementById('loading') ? null : (h ? h.textContent : null);", wait_for)
        if text:
            return text
        time.sleep(0.1)
    return None


def console_problems(d, allow_api_status=True):
    """The console's errors since the last call: script errors, CSP refusals,
    failed loads of the pages' own files.  An API answer's 4xx (a 401 before
    sign-in) is the page's to show, not a problem of the page, when
    allow_api_status."""
    bad = []
    for e in d.get_log("browser"):
        if e.get("level") not in ("SEVERE", "WARNING"):
            continue
        msg = e.get("message", "")
        if allow_api_status and "Failed to load resource" in msg and "/v1/" in msg:
            continue
        if e.get("level") == "WARNING" and "Content-Security-Policy" not in msg and "Refused" not in msg:
            continue
        bad.append(msg)
    return bad


def run_axe(d, axe_js):
    """axe-core's violations on the current page (a list of {id, impact, nodes})."""
    with open(axe_js, encoding="utf-8") as f:
        src = f.read()
    d.execute_script(src)
    res = d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(JSON.stringify(r.violations)),"
        " e => done(JSON.stringify({error: String(e)})));")
    out = json.loads(res)
    if isinstance(out, dict):
        raise RuntimeError(out.get("error"))
    return out


def screenshot(d, path):
    """A PNG of the whole page (its full height) at the current width."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    d.execute_cdp_cmd("Emulation.setScrollbarsHidden", {"hidden": True})     # the full width, no scrollbar
    metrics = d.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics.get("cssContentSize") or metrics.get("contentSize")
    shot = d.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
    with open(path, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    return path


def webauthn_create(d):
    """Make a passkey for this origin straight through navigator.credentials
    (no service involved): "ok" or the DOMException's name.  Tells whether the
    browser accepts this page for WebAuthn (a certificate error: it does not)."""
    return d.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const rnd = (n) => crypto.getRandomValues(new Uint8Array(n));
        navigator.credentials.create({publicKey: {
            challenge: rnd(32), rp: {id: location.hostname, name: "scrvault test"},
            user: {id: rnd(16), name: "probe", displayName: "Probe"},
            pubKeyCredParams: [{type: "public-key", alg: -8}, {type: "public-key", alg: -7}],
            authenticatorSelection: {residentKey: "required", userVerification: "required"},
            attestation: "none", timeout: 10000}})
          .then(c => done(c && c.type === "public-key" ? "ok" : "no credential"),
                e => done(e && e.name ? e.name + ": " + e.message : String(e)));
    """)


# ---- steps of a journey (the passkey journey is made of these) ----

def open_link(d, base, token):
    """Open a registration link as the person would: #/register?link=TOKEN."""
    return open_page(d, base, "/register?link=" + token)


def wait_for(d, js, timeout=15):
    """Wait until the script `js` (a function body returning a value) gives a
    truthy value; that value, or None after timeout seconds."""
    end = time.time() + timeout
    while time.time() < end:
        v = d.execute_script(js)
        if v:
            return v
        time.sleep(0.1)
    return None


def type_into(d, css, text):
    from selenium.webdriver.common.by import By
    el = d.find_element(By.CSS_SELECTOR, css)
    el.clear()
    el.send_keys(text)
    return el


def click(d, css):
    from selenium.webdriver.common.by import By
    d.find_element(By.CSS_SELECTOR, css).click()


def status_text(d, timeout=15):
    """The page's live status line once it says something other than 'Waiting...'."""
    return wait_for(d, "const s = document.querySelector('#main [role=status]');"
                       "return s && s.textContent && !/^Waiting/.test(s.textContent) ? s.textContent : null;",
                    timeout)


def passkeys_held(d):
    """The credentials the virtual authenticator holds (resident ones included)."""
    return d.get_credentials()


def register_passkey(d, base, url_or_token, name, timeout=20):
    """Open a registration link (its whole URL, or only its token), name the
    passkey, register it: the page's status line afterwards."""
    if url_or_token.startswith("https://"):
        d.get("about:blank")
        d.get(url_or_token)
        wait_for(d, "return document.querySelector('#main h1') && !document.getElementById('loading')")
    else:
        open_link(d, base, url_or_token)
    if not wait_for(d, "return document.getElementById('passkey-name')"):
        return None
    type_into(d, "#passkey-name", name)
    click(d, "#register-passkey")
    return status_text(d, timeout)


def sign_in(d, base, timeout=20):
    """#/signin, "Sign in with a passkey": the heading of the page it leads to
    (or the status line's complaint, prefixed "status: ")."""
    if (open_page(d, base, "/signin") or "") != "Sign in":
        return None
    click(d, "#signin-passkey")
    return wait_for(d, "const h = document.querySelector('#main h1');"
                       "const s = document.querySelector('#main [role=status]');"
                       "if (h && h.textContent !== 'Sign in') return h.textContent;"
                       "if (s && /error/.test(s.className)) return 'status: ' + s.textContent;"
                       "return null;", timeout)


def api(d, method, path, body=None):
    """A call through the pages' own api.js (the same module instance, so the
    page's session cookie and CSRF token): {"status", "data"} or the error's
    {"status", "message"}."""
    return d.execute_async_script("""
        const [method, path, body, done] = arguments;
        import('/app/api.js').then(async (api) => {
            if (!api.current()) await api.whoami();
            try { done({status: 200, data: await api.call(method, path, body === null ? undefined : body)}); }
            catch (e) { done({status: e.status, message: e.message}); }
        }, (e) => done({status: -1, message: String(e)}));
    """, method, path, body)


def fetch(d, method, path, headers=None, body=None, credentials="same-origin"):
    """A bare fetch from the page (no api.js: no CSRF token unless given):
    {"status", "text"}."""
    return d.execute_async_script("""
        const [method, path, headers, body, credentials, done] = arguments;
        const init = {method, headers: headers || {}, credentials, cache: 'no-store'};
        if (body !== null) init.body = body;
        fetch(path, init).then(async (r) => done({status: r.status, text: await r.text()}),
                               (e) => done({status: -1, text: String(e)}));
    """, method, path, headers, body, credentials)


def record_fetches(d):
    """From now on (in this document) remember every fetch the page makes:
    window.__seen [{method, url, status, body}] (body: the request's)."""
    d.execute_script("""
        if (window.__seen) return;
        window.__seen = [];
        const real = window.fetch;
        window.fetch = async (url, init) => {
            const r = await real(url, init);
            window.__seen.push({method: (init && init.method) || 'GET', url: String(url), status: r.status,
                                body: init && typeof init.body === 'string' ? init.body : null});
            return r;
        };
    """)


def seen(d):
    return d.execute_script("return window.__seen || []")


def go(d, hash_route, timeout=15):
    """Move to #hash_route in the same document (no reload, as a click on a
    link would): the heading of the page it draws."""
    d.execute_script("const m = document.getElementById('main');"
                     "for (const c of [...m.children]) c.remove(); location.hash = arguments[0];",
                     "#" + hash_route)
    return wait_for(d, "const h = document.querySelector('#main h1'); return h ? h.textContent : null;", timeout)


def run_parts(a, parts):
    """Each (function, what) of a suite in turn, TAP numbered from --first; a
    harness failure is a failed test, not a silent stop.  Writes "ran failed"
    to --count-file; the exit status for main."""
    t = TAP(a.first)
    for fn, what in parts:
        try:
            fn(a, t)
        except Exception as e:
            t.ok(False, f"{what} ran to its end", repr(e))
    if a.count_file:
        with open(a.count_file, "w") as f:
            f.write(f"{t.count} {t.failed}\n")
    return 1 if t.failed else 0
