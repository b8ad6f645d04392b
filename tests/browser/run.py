#!/usr/bin/python3
"""run.py - scrvaultd's pages in headless Chromium (tests/cli/browser.sh starts
the service and runs this under /usr/bin/python3, Debian's selenium).

Prints TAP lines ("ok N - ...") numbered from --first; writes how many to
--count-file.  What it checks: Chromium trusts the vault's CA (and refuses
the pages without it), WebAuthn works on them with a virtual authenticator,
the CSP is enforced, the keyboard reaches everything.  Then the passkey
journey: the coordinator opens their own link (--coord-link, made through
the service), names and registers a passkey, signs in, sees the agenda
(the cookie HttpOnly, nothing for scripts), lists the passkey; every page
loads with no script error or CSP refusal, axe-core finds nothing serious,
it fits 320 px, a screenshot of each goes to --shots.  An agency user
(alice) gets a link from the coordinator's session and does the same in a
second browser profile.  Then what must fail, each beside the same request
that works: alice opening another case by URL, another agency's document,
a request without the CSRF token, a replayed assertion, a session the
coordinator revoked, a link opened twice; and sign-out.
"""
import argparse
import json
import os
import re
import sys
import tempfile

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



def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--shots", required=True)
    ap.add_argument("--axe")
    ap.add_argument("--coord-link", required=True, help="the JSON of the coordinator's passkey-link --json")
    ap.add_argument("--case", default="SCR-A")
    ap.add_argument("--other-case", default="SCR-B", help="a case alice (police, case A) has no part in")
    ap.add_argument("--other-doc", required=True, help="another agency's document in alice's case")
    ap.add_argument("--other-case-doc", required=True, help="a document of --other-case")
    ap.add_argument("--first", type=int, default=1)
    ap.add_argument("--count-file")
    a = ap.parse_args()
    return hz.run_parts(a, [(run, "the browser harness")])


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
        d.remove_all_credentials()    # the probe's passkey is no one's: the journey starts with none

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
                bad = hz.serious(hz.run_axe(d, a.axe))
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

        # ---- the coordinator's passkey journey: their own link, register, sign in ----
        with open(a.coord_link) as f:
            link = json.load(f)
        said = hz.register_passkey(d, a.base, link["url"], "coordinator's laptop")
        t.ok(said and "registered" in said, "the coordinator opens their link, names the passkey and registers it", said)
        hz.screenshot(d, os.path.join(a.shots, "register-done-1280.png"))
        t.ok(len(hz.passkeys_held(d)) == 1, "...the authenticator holds it")
        hz.open_page(d, a.base, "/signin")
        hz.record_fetches(d)      # the page's own fetches, to replay its assertion below
        hz.click(d, "#signin-passkey")
        heading = hz.wait_for(d, "const h = document.querySelector('#main h1');"
                                 "return h && h.textContent !== 'Sign in' ? h.textContent : null;", 20)
        t.ok(heading == "Agenda", "the coordinator signs in with the passkey on #/signin: the agenda shows", heading)
        who = hz.api(d, "GET", "/v1/whoami")
        t.ok((who.get("data") or {}).get("principal") == "coord", "...signed in as coord (whoami by the cookie)", who)
        cookies = {c["name"]: c for c in d.get_cookies()}
        c = cookies.get("__Host-scrvault", {})
        t.ok(c.get("httpOnly") and c.get("secure") and c.get("sameSite") == "Strict" and
             d.execute_script("return document.cookie") == "",
             "the session cookie is HttpOnly, Secure, SameSite=Strict: document.cookie is empty",
             json.dumps({k: v for k, v in c.items() if k != "value"}))
        t.ok(d.execute_script("return localStorage.length + sessionStorage.length") == 0,
             "...and nothing in web storage")

        # A replayed assertion: the body the page posted, sent again (without
        # the cookie, as someone who copied it would) -> 401.
        posted = [x for x in hz.seen(d) if x["url"].endswith("/v1/session/passkey") and x["method"] == "POST"]
        t.ok(len(posted) == 1 and posted[0]["status"] == 200, "the page posted one assertion, answered 200",
             json.dumps([(x["status"], x["body"][:60]) for x in posted]))
        if posted:
            again = hz.fetch(d, "POST", "/v1/session/passkey", {"Content-Type": "application/json"},
                             posted[0]["body"], credentials="omit")
            t.ok(again["status"] == 401, "ATTACK: the same assertion replayed is refused (401)", again)
            again = hz.fetch(d, "POST", "/v1/session/passkey", {"Content-Type": "application/json",
                                                                "X-CSRF-Token": (who.get("data") or {}).get("csrf", "")},
                             posted[0]["body"])
            t.ok(again["status"] == 401, "ATTACK: ...and with the cookie and the CSRF token too (401)", again)

        heading = hz.open_page(d, a.base, "/passkeys")
        names = d.execute_script("return [...document.querySelectorAll('#main table tbody tr')]"
                                 ".map(r => r.textContent)")
        t.ok(heading == "Passkeys" and any("coordinator's laptop" in n for n in names),
             "the passkeys page lists the new passkey", f"{heading} {names}")

        # ---- every page, signed in with the passkey ----
        for name, route, needs in PAGES:
            route = route.replace("{case}", a.case)
            hz.set_width(d, 1280)
            heading = hz.open_page(d, a.base, route)
            probs = hz.console_problems(d)
            ok = heading and heading not in ("Something went wrong", "Page not found", "Not found", "Sign in") or name == "signin"
            t.ok(ok and not probs, f"{name}: loads ('{heading}'), no script error or CSP refusal",
                 "\n".join(probs) or heading)
            hz.screenshot(d, os.path.join(a.shots, f"{name}-1280.png"))
            hz.set_width(d, 320, 640)
            hz.open_page(d, a.base, route)
            over = d.execute_script("return document.documentElement.scrollWidth")
            t.ok(over <= 320, f"{name}: fits 320 px (no sideways scroll of the page)", f"scrollWidth {over}")
            hz.screenshot(d, os.path.join(a.shots, f"{name}-320.png"))
            hz.check_zoom(d, t, a.base, route, name, os.path.join(a.shots, f"{name}-200pct.png"))
            if a.axe and needs:
                bad = hz.serious(hz.run_axe(d, a.axe))
                t.ok(not bad, f"axe-core: no serious or critical violation on {name}", "\n".join(bad))
            elif needs:
                t.skip(f"axe-core on {name}", "axe-core is not installed (tests/browser/install-axe could not reach the npm registry)")
            if name == "case":
                text = d.execute_script("return document.getElementById('main').textContent")
                t.ok(re.search(r"\b\d{2}/\d{2}/\d{4}\b", text) and not re.search(r"\d{4}-\d{2}-\d{2}", text),
                     "dates are UK dates (dd/mm/yyyy), no ISO date shown", text[:300])
            hz.set_width(d, 1280)

        # ---- an agency user: a link from the coordinator's session, a second profile ----
        hz.open_page(d, a.base, "/agenda")
        made = hz.api(d, "POST", "/v1/principals/alice/passkey-link")
        alice_url = (made.get("data") or {}).get("url", "")
        t.ok(made["status"] == 200 and alice_url.startswith(a.base + "/#/register?link="),
             "the coordinator makes alice's passkey link from their signed-in page (cookie + CSRF token)", made)
        d2_home = tempfile.mkdtemp(dir=a.work)
        hz.trust_ca(d2_home, a.ca)
        d2 = hz.start_browser(d2_home)
        try:
            alice(a, t, d, d2, alice_url)
        finally:
            d2.quit()

        # ---- sign out ----
        hz.open_page(d, a.base, "/agenda")
        hz.click(d, "#signout")
        heading = hz.wait_for(d, "const h = document.querySelector('#main h1');"
                                 "return h && h.textContent === 'Sign in' ? h.textContent : null;")
        t.ok(heading == "Sign in" and d.execute_script("return document.getElementById('nav').hidden"),
             "sign out returns to the sign-in page, the navigation hidden", heading)
        gone = hz.fetch(d, "GET", "/v1/whoami")
        t.ok(gone["status"] == 401 and "__Host-scrvault" not in {c["name"] for c in d.get_cookies()},
             "...the session is over and its cookie cleared", gone)
    finally:
        d.quit()


def alice(a, t, coord, d, url):
    """alice (police, IMR author on case A) registers through her link, signs
    in, and tries what she may not."""
    hz.add_authenticator(d)
    said = hz.register_passkey(d, a.base, url, "alice's laptop")
    t.ok(said and "registered" in said, "alice opens her link in her own browser and registers a passkey", said)
    heading = hz.sign_in(d, a.base)
    t.ok(heading == "Agenda", "alice signs in with it: her agenda shows", heading)
    t.ok(d.execute_script("return document.getElementById('who-name').textContent").startswith("alice"),
         "...her name in the header")
    mine = hz.go(d, f"/cases/{a.case}")
    t.ok(mine and mine.startswith(a.case), f"alice opens her case {a.case} by URL", mine)

    # Another case by URL: the page says not found, because the API did (404).
    hz.record_fetches(d)
    heading = hz.go(d, f"/cases/{a.other_case}")
    hz.wait_for(d, f"return (window.__seen || []).some(x => x.url === '/v1/cases/{a.other_case}')", 10)
    text = hz.wait_for(d, "const m = document.getElementById('main'); return /not found/i.test(m.textContent)"
                          " ? m.textContent : null;", 10)
    answers = [x["status"] for x in hz.seen(d) if x["url"] == f"/v1/cases/{a.other_case}"]
    t.ok(text and heading == "Not found" and answers == [404], f"ATTACK: alice opens #/cases/{a.other_case} (not her case): "
         "'not found', the API answered 404", f"heading={heading} text={text} answers={answers}")
    t.ok("Child B" not in d.execute_script("return document.body.textContent"),
         "...and nothing of that case (its title) is on the page")
    hz.screenshot(d, os.path.join(a.shots, "not-found-1280.png"))

    # Another agency's document in her own case, and a document of another case: 404.
    for doc, what in ((a.other_doc, "the health trust's IMR in her own case"),
                      (a.other_case_doc, f"a document of {a.other_case}")):
        r = [hz.api(d, "GET", f"/v1/docs/{doc}")["status"],
             hz.api(d, "GET", f"/v1/docs/{doc}/versions/1/content")["status"],
             hz.api(d, "GET", f"/v1/docs/{doc}/log")["status"]]
        t.ok(r == [404, 404, 404], f"ATTACK: alice asks for {what} by its id: 404 (its record, content, log)", r)
    listed = hz.api(d, "GET", f"/v1/cases/{a.case}/docs")
    t.ok(listed["status"] == 200 and a.other_doc not in json.dumps(listed["data"]),
         "...nor is it among her case's documents", listed)

    # A request without the CSRF token, from the page's own origin, with the cookie: 403.
    bare = hz.fetch(d, "POST", "/v1/passkeys/registration", {"Content-Type": "application/json"}, "{}")
    t.ok(bare["status"] == 403 and "anti-forgery" in bare["text"],
         "ATTACK: a POST from the page with the cookie and no X-CSRF-Token is refused (403)", bare)
    csrf = (hz.api(d, "GET", "/v1/whoami").get("data") or {}).get("csrf", "")
    wrong = hz.fetch(d, "POST", "/v1/passkeys/registration",
                     {"Content-Type": "application/json", "X-CSRF-Token": csrf[:-1] + ("A" if csrf[-1] != "A" else "B")}, "{}")
    t.ok(wrong["status"] == 403, "ATTACK: ...and with a wrong token (403)", wrong)
    right = hz.fetch(d, "POST", "/v1/passkeys/registration",
                     {"Content-Type": "application/json", "X-CSRF-Token": csrf}, "{}")
    t.ok(right["status"] == 200, "...the same request with the token is answered (200)", right)

    # The link opened twice: the second registration is refused, saying so on the page.
    said = hz.register_passkey(d, a.base, url, "second try")
    t.ok(said and "already been used" in said and "Ask the coordinator for a new link" in said and
         d.execute_script("return /error/.test(document.querySelector('#main [role=status]').className)"),
         "ATTACK: alice's link opened a second time: the registration is refused, the page says why", said)
    hz.screenshot(d, os.path.join(a.shots, "register-used-link-1280.png"))
    held = hz.api(d, "GET", "/v1/passkeys")
    t.ok(len(held.get("data") or []) == 1, "...and alice still has one passkey (GET /v1/passkeys)", held)

    # A session that ended: the coordinator revokes alice's session through
    # the API; her next page is the sign-in page.
    heading = hz.open_page(d, a.base, "/agenda")
    t.ok(heading == "Agenda", "alice is still signed in after a reload", heading)
    sessions = hz.api(coord, "GET", "/v1/sessions")
    hers = [x["session"] for x in sessions.get("data") or [] if x["principal"] == "alice"]
    ended = [hz.api(coord, "DELETE", f"/v1/sessions/{s}")["status"] for s in hers]
    t.ok(hers and ended == [200] * len(hers), "the coordinator revokes alice's session from their page", sessions)
    heading = hz.go(d, "/cases")
    heading = hz.wait_for(d, "const h = document.querySelector('#main h1');"
                             "return h && h.textContent === 'Sign in' ? h.textContent : null;", 10)
    t.ok(heading == "Sign in", "ATTACK: alice's next page after the revocation is the sign-in page", heading)
    t.ok(hz.fetch(d, "GET", f"/v1/cases/{a.case}")["status"] == 401, "...and her cookie opens nothing (401)")


if __name__ == "__main__":
    sys.exit(main())
