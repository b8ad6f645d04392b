#!/usr/bin/python3
"""run.py - scrvaultd's pages in headless Chromium (tests/cli/browser.sh starts
the service and runs this under /usr/bin/python3, Debian's selenium).

Prints TAP lines ("ok N - ...") numbered from --first; writes how many to
--count-file.  What it checks now: Chromium trusts the vault's CA (and
refuses the pages without it), WebAuthn works on them with a virtual
authenticator, each page loads with no script error and no CSP refusal,
the CSP is enforced (an injected inline script does not run), axe-core
finds nothing serious or critical, every page fits 320 px, and a
screenshot of each (1280 and 320 px wide) goes to --shots.  The passkey
journey (register through a link, sign in, sign out) adds its steps with
the same pieces (harness.py) once the service has the passkey routes.
"""
import argparse
import json
import os
import re
import sys
import tempfile
import urllib.request
import ssl

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as hz  # noqa: E402

PAGES = [
    # name, hash route, needs a session
    ("signin", "/signin", False),
    ("register", "/register?link=AAAAAAAAAAAAAAAAAAAAAAAA", False),
    ("agenda", "/agenda", True),
    ("cases", "/cases", True),
    ("case", "/cases/{case}", True),
    ("audit", "/audit", True),
    ("passkeys", "/passkeys", True),
]


def api_has(base, ca, path):
    """Whether the service has a route (anything but 404 'no such route')."""
    ctx = ssl.create_default_context(cafile=ca)
    try:
        urllib.request.urlopen(urllib.request.Request(base + path), context=ctx, timeout=10)
        return True
    except urllib.error.HTTPError as e:
        return e.code != 404
    except Exception:
        return False


def serious(violations):
    return [f"{v['id']} ({v['impact']}): {v.get('help', '')} at {[n.get('target') for n in v.get('nodes', [])][:3]}"
            for v in violations if v.get("impact") in ("serious", "critical")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--shots", required=True)
    ap.add_argument("--axe")
    ap.add_argument("--bearer-file")
    ap.add_argument("--case", default="SCR-A")
    ap.add_argument("--first", type=int, default=1)
    ap.add_argument("--count-file")
    a = ap.parse_args()
    t = hz.TAP(a.first)
    try:
        run(a, t)
    except Exception as e:  # a harness failure is a failed test, not a silent stop
        t.ok(False, "the browser harness ran to its end", repr(e))
    if a.count_file:
        with open(a.count_file, "w") as f:
            f.write(f"{t.count} {t.failed}\n")
    return 1 if t.failed else 0


def run(a, t):
    # ---- without the vault's CA: a certificate error, and no WebAuthn ----
    d = hz.start_browser(tempfile.mkdtemp(dir=a.work))
    try:
        hz.add_authenticator(d)
        heading = hz.open_page(d, a.base, "/signin", timeout=5)
        t.ok(heading is None and not d.execute_script("return !!document.getElementById('main')"),
             "without the vault's CA trusted, Chromium refuses the pages (certificate error)", d.title)
    finally:
        d.quit()

    # ---- with it: a throwaway NSS database trusting the vault's CA ----
    home = tempfile.mkdtemp(dir=a.work)
    hz.trust_ca(home, a.ca)
    d = hz.start_browser(home)
    try:
        hz.add_authenticator(d)
        heading = hz.open_page(d, a.base, "/signin")
        t.ok(heading == "Sign in", "the vault's CA trusted (NSS db): the sign-in page loads over HTTPS", heading)
        t.ok(d.execute_script("return location.protocol") == "https:" and
             d.execute_script("return window.isSecureContext"), "a secure context")
        p = hz.console_problems(d)
        t.ok(not p, "sign-in: no script error, no CSP refusal in the console", "\n".join(p))
        r = hz.webauthn_create(d)
        t.ok(r == "ok", "WebAuthn works on the page: navigator.credentials.create with the virtual authenticator", r)

        # The headers the browser got, and the CSP enforced: an injected inline script does not run.
        hdrs = d.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch('/', {cache: 'no-store'}).then(r => done(Object.fromEntries(r.headers.entries())),"
            " e => done({error: String(e)}));")
        t.ok("script-src 'self'" in hdrs.get("content-security-policy", "") and
             hdrs.get("x-content-type-options") == "nosniff" and hdrs.get("cache-control") == "no-store",
             "the browser sees the CSP, nosniff and no-store on the page", json.dumps(hdrs))
        hz.console_problems(d)
        d.execute_script("const s = document.createElement('script'); s.textContent = 'window.__ran = 1';"
                         "document.body.append(s);"
                         "const i = document.createElement('img'); i.setAttribute('src', 'data:,x');"
                         "i.setAttribute('onerror', 'window.__ran2 = 1'); document.body.append(i);")
        ran = d.execute_script("return [window.__ran || 0, window.__ran2 || 0]")
        refusals = [m for m in d.get_log("browser") if "Content Security Policy" in m.get("message", "")]
        t.ok(ran == [0, 0] and refusals, "an injected inline script and handler do not run (CSP refuses them)",
             f"ran={ran} refusals={refusals}")
        d.execute_script("document.querySelector('script:not([src])').remove(); document.querySelector('img[onerror]').remove()")
        t.ok(d.execute_script("return localStorage.length + sessionStorage.length") == 0 and
             d.execute_script("return document.cookie") == "", "nothing in web storage or a script-readable cookie")
        # Keyboard: the first Tab reaches the skip link, which moves focus to the page's heading.
        from selenium.webdriver.common.keys import Keys
        from selenium.webdriver.common.action_chains import ActionChains
        hz.open_page(d, a.base, "/signin")
        ActionChains(d).send_keys(Keys.TAB).perform()
        first = d.execute_script("return document.activeElement.id")
        ActionChains(d).send_keys(Keys.ENTER).perform()
        after = d.execute_script("return document.activeElement.tagName")
        t.ok(first == "skip" and after == "H1", "the first Tab reaches the skip link; it moves focus to the heading",
             f"first={first} after={after}")

        if a.axe:
            for name, route in (("signin", "/signin"), ("register", PAGES[1][1])):
                hz.open_page(d, a.base, route)
                bad = serious(hz.run_axe(d, a.axe))
                t.ok(not bad, f"axe-core: no serious or critical violation on {name}", "\n".join(bad))
        else:
            t.skip("axe-core on the sign-in page", "no axe-core (npm ci --prefix tests/browser)")
        hz.open_page(d, a.base, "/register")
        t.ok(d.execute_script("return !!document.querySelector('[role=alert]') && !document.getElementById('passkey-name')"),
             "register without a link: says the link is incomplete, no form")
        hz.open_page(d, a.base, PAGES[1][1])
        t.ok(d.execute_script("const i = document.getElementById('passkey-name');"
                              "return !!i && !!document.querySelector('label[for=passkey-name]')"),
             "register with a link: a labelled name field")

        # ---- the pages with a session (a bearer token until the cookie sign-in exists) ----
        token = open(a.bearer_file).read().strip() if a.bearer_file else ""
        if token:
            hz.send_bearer(d, token)
        has_passkeys = api_has(a.base, a.ca, "/v1/passkeys")
        for name, route, needs in PAGES:
            route = route.replace("{case}", a.case)
            if needs and not token:
                t.skip(f"{name}: loads", "no session given (--bearer-file)")
                continue
            if name == "passkeys" and not has_passkeys:
                t.skip(f"{name}: loads and fits 320 px", "the service has no /v1/passkeys yet")
                continue
            hz.set_width(d, 1280)
            heading = hz.open_page(d, a.base, route)
            probs = hz.console_problems(d)
            ok = heading and heading not in ("Something went wrong", "Page not found", "Sign in") or name == "signin"
            t.ok(ok and not probs, f"{name}: loads ('{heading}'), no script error or CSP refusal",
                 "\n".join(probs) or heading)
            hz.screenshot(d, os.path.join(a.shots, f"{name}-1280.png"))
            hz.set_width(d, 320, 640)
            hz.open_page(d, a.base, route)
            over = d.execute_script("return document.documentElement.scrollWidth")
            t.ok(over <= 320, f"{name}: fits 320 px (no sideways scroll of the page)", f"scrollWidth {over}")
            hz.screenshot(d, os.path.join(a.shots, f"{name}-320.png"))
            if a.axe and needs:
                bad = serious(hz.run_axe(d, a.axe))
                t.ok(not bad, f"axe-core: no serious or critical violation on {name}", "\n".join(bad))
            if name == "case":
                text = d.execute_script("return document.getElementById('main').textContent")
                t.ok(re.search(r"\b\d{2}/\d{2}/\d{4}\b", text) and not re.search(r"\d{4}-\d{2}-\d{2}", text),
                     "dates are UK dates (dd/mm/yyyy), no ISO date shown", text[:300])
            hz.set_width(d, 1280)
    finally:
        d.quit()


if __name__ == "__main__":
    sys.exit(main())
