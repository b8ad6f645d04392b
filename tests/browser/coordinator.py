#!/usr/bin/python3
"""coordinator.py - the coordinator's journey in headless Chromium
(tests/cli/browser-coordinator.sh starts the service and runs this).

The coordinator registers a passkey through their own one-time link, signs
in, opens a case, makes numbered copies of a version, issues one, prints it
(the stamped PDF arrives as a download that starts with %PDF), and asks for
a grant that waits under dual control; they cannot approve it themselves
(the page shows the service's 403).  They place a legal hold on the case
(the case page shows it) and lift it, record a review's outcome, see the
proposed disposal batch, widen the retention plan's horizon, transfer an
electronic copy from the recall page, and register a person from their
enrolment request with the words read out (a tampered request is refused)
and download the vault's acceptance.  The deputy custodian registers their
own passkey in a second browser, signs in and approves it.  Every page of
the coordinator's is checked with axe-core (nothing serious or critical),
for script errors and CSP refusals, at 320 px, and photographed.
"""
import argparse
import os
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as hz  # noqa: E402



def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--shots", required=True)
    ap.add_argument("--axe")
    ap.add_argument("--coord-link", required=True)
    ap.add_argument("--deputy-link", required=True)
    ap.add_argument("--case", default="SCR-A")
    ap.add_argument("--enrol-file", required=True)
    ap.add_argument("--enrol-words", required=True)
    ap.add_argument("--first", type=int, default=1)
    ap.add_argument("--count-file")
    a = ap.parse_args()
    return hz.run_parts(a, [(run, "the coordinator's browser test")])


def browser(a):
    home = tempfile.mkdtemp(dir=a.work)
    hz.trust_ca(home, a.ca)
    d = hz.start_browser(home)
    hz.add_authenticator(d)
    return d, home


def sign_up_and_in(d, a, t, who, token):
    """Register a passkey through the person's link, then sign in with it."""
    hz.open_link(d, a.base, token)
    hz.type_into(d, "#passkey-name", f"{who}'s test laptop")
    hz.click(d, "#register-passkey")
    said = hz.status_text(d)
    t.ok(said and "registered" in said, f"{who} registers a passkey through their own link", said)
    hz.open_page(d, a.base, "/signin")
    hz.click(d, "#signin-passkey")
    where = hz.wait_for(d, "return location.hash.startsWith('#/agenda') && document.querySelector('#main h1')"
                           " && document.querySelector('#main h1').textContent !== 'Sign in' ? location.hash : null")
    t.ok(where, f"{who} signs in with the passkey", d.execute_script("return location.hash + ' ' + document.body.innerText.slice(0, 300)"))


def check_page(d, a, t, name, route=None, heading=None):
    """The page now shown (or `route` opened): no script error or CSP refusal,
    axe-core finds nothing serious, fits 320 px; screenshots at 1280 and 320."""
    if route:
        heading = hz.open_page(d, a.base, route)
    heading = heading or d.execute_script("const h = document.querySelector('#main h1'); return h ? h.textContent : null")
    probs = hz.console_problems(d)
    t.ok(heading and heading not in ("Something went wrong", "Page not found", "Not found", "Sign in") and not probs,
         f"{name}: loads ('{heading}'), no script error or CSP refusal", "\n".join(probs) or heading)
    hz.screenshot(d, os.path.join(a.shots, f"coord-{name}-1280.png"))
    if a.axe:
        bad = hz.serious(hz.run_axe(d, a.axe))
        t.ok(not bad, f"axe-core: no serious or critical violation on {name}", "\n".join(bad))
    else:
        t.skip(f"axe-core on {name}", "no axe-core (npm ci --prefix tests/browser)")
    if route:
        hz.set_width(d, 320, 640)
        hz.open_page(d, a.base, route)
        over = d.execute_script("return document.documentElement.scrollWidth")
        wide = d.execute_script("return [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > 321)"
                                ".filter((e) => !e.closest('.table-wrap') || e.classList.contains('table-wrap')).slice(0, 5)"
                                ".map((e) => e.tagName + (e.id ? '#' + e.id : '') + ' ' + Math.round(e.getBoundingClientRect().right))")
        t.ok(over <= 320, f"{name}: fits 320 px", f"scrollWidth {over}; wider: {wide}")
        hz.screenshot(d, os.path.join(a.shots, f"coord-{name}-320.png"))
        hz.check_zoom(d, t, a.base, route, name, os.path.join(a.shots, f"coord-{name}-200pct.png"))
        hz.set_width(d, 1280)
        hz.open_page(d, a.base, route)


def status_now(d, pattern, timeout=15):
    """The page's status line once it matches the regular expression `pattern`."""
    return hz.wait_for(d, "const s = document.querySelector('#main [role=status]');"
                          f"return s && /{pattern}/.test(s.textContent) ? s.textContent : null;", timeout)


def re_uk(text):
    import re
    return re.search(r"\b\d{2}/\d{2}/\d{4}\b", text) and not re.search(r"\d{4}-\d{2}-\d{2}", text)


def run(a, t):
    d, home = browser(a)
    dl = os.path.join(home, "downloads")
    os.makedirs(dl, mode=0o700)
    d2 = None
    try:
        d.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": dl})
        sign_up_and_in(d, a, t, "the coordinator", a.coord_link)

        # ---- open a case ----
        check_page(d, a, t, "cases", "/cases")
        hz.type_into(d, "#case-ref", "SCR-B")
        hz.type_into(d, "#case-title", "Child B")
        hz.click(d, "#open-case")
        h1 = hz.wait_for(d, "const h = document.querySelector('#main h1');"
                            "return h && h.textContent.startsWith('SCR-B') ? h.textContent : null")
        t.ok(h1, "the coordinator opens case SCR-B from the cases page",
             d.execute_script("const s = document.querySelector('#main [role=status]'); return (s ? s.textContent : '') + ' | ' + location.hash"))

        # ---- make copies of the overview report's version 1 ----
        check_page(d, a, t, "case", f"/cases/{a.case}")
        count = d.execute_script("const i = document.querySelector('input[id^=mk-][id$=-count]'); return i ? i.id : null")
        t.ok(count, "the case page offers to make copies of a version", d.execute_script("return document.body.innerText.slice(0, 600)"))
        hz.type_into(d, "#" + count, "2")
        d.execute_script("document.getElementById(arguments[0]).form.requestSubmit()", count)
        at = hz.wait_for(d, "return location.hash.startsWith('#/copies?doc=') && document.querySelector('#main h1')"
                            " && document.querySelector('#main h1').textContent === 'Copies'"
                            " && document.querySelector('a[href^=\"#/copies/\"]') ? location.hash : null")
        t.ok(at, "two numbered copies made; the register shows them", d.execute_script("return document.body.innerText.slice(0, 600)"))
        check_page(d, a, t, "copies", "/copies")
        n_out = d.execute_script("return document.querySelectorAll('#main tbody tr').length")
        hz.open_page(d, a.base, "/copies?state=any")
        n_rows = d.execute_script("return document.querySelectorAll('#main tbody tr').length")
        t.ok(n_out == 0 and n_rows == 2, "the register shows the copies out by default (none yet), and both copies "
             "in any state", f"{n_out} out, {n_rows} in all")

        # ---- issue the first to pam ----
        hz.open_page(d, a.base, "/copies/1")
        hz.type_into(d, "#issue-to", "pam")
        hz.type_into(d, "#issue-purpose", "panel meeting")
        d.execute_script("document.getElementById('issue-due').value = '2099-01-31'")
        hz.click(d, "#issue-copy")
        said = status_now(d, "issued|Refused|error|must|cannot")
        t.ok(said and "issued to pam" in said, "the coordinator issues copy 1 to pam", said)
        state = hz.wait_for(d, "const dd = [...document.querySelectorAll('dl.facts dt')].find(x => x.textContent === 'State');"
                               "return dd && dd.nextElementSibling.textContent === 'issued' ? 'issued' : null")
        t.ok(state, "...the copy's page shows it issued, with its history")
        check_page(d, a, t, "copy")

        # ---- print: the stamped PDF downloads ----
        hz.click(d, "#print-copy")
        said = status_now(d, "downloading|Refused|refused|error|could not", 30)
        want = os.path.join(dl, "copy-1.pdf")
        end = time.time() + 30
        while time.time() < end and not (os.path.exists(want) and os.path.getsize(want) > 0 and
                                          not any(f.endswith(".crdownload") for f in os.listdir(dl))):
            time.sleep(0.2)
        head = open(want, "rb").read(5) if os.path.exists(want) else b""
        t.ok(head == b"%PDF-", "print: the stamped PDF arrives as a download (copy-1.pdf, starts %PDF)",
             f"status {said!r}; downloads {os.listdir(dl)}; head {head!r}")

        # ---- destroy copy 2 before a witness: two presses, then pending the witness ----
        hz.open_page(d, a.base, "/copies/2")
        hz.type_into(d, "#destroy-witness", "dep")
        hz.click(d, "button[aria-label^='Destroy copy']")
        armed = status_now(d, "again")
        still = d.execute_script("const dd = [...document.querySelectorAll('dl.facts dt')].find(x => x.textContent === 'State');"
                                 "return dd ? dd.nextElementSibling.textContent : null")
        t.ok(armed and still == "in-store", "destroy asks for a second press first (nothing is done by one click)", f"{armed} {still}")
        hz.click(d, "button.danger[aria-label*='Destroy copy']")
        said = status_now(d, "destroyed|Refused|error|must")
        pending = hz.wait_for(d, "const p = document.querySelector('#main .pending'); return p ? p.textContent : null")
        t.ok(said and "destroyed" in said and pending and "dep" in pending and "not yet confirmed" in pending and
             not d.execute_script("return !!document.getElementById('witness-confirm')"),
             "copy 2 destroyed before dep as witness; pending the witness (the destroyer is offered no confirmation)",
             f"{said} | {pending} | " + d.execute_script("return document.getElementById('main').innerText.slice(300, 1500)"))
        check_page(d, a, t, "copy-destroyed")
        got = d.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch('/v1/copies/2/witness-statement', {credentials: 'same-origin', cache: 'no-store'})"
            ".then(r => done(r.status), e => done(String(e)));")
        t.ok(got == 403, "the one who destroyed it cannot get the witness's statement to confirm it (403)", got)

        # ---- the other registers ----
        check_page(d, a, t, "requests", "/requests")
        hz.type_into(d, "#req-name", "A Journalist")
        hz.type_into(d, "#req-contact", "news@example.org")
        hz.type_into(d, "#req-case", a.case)
        hz.type_into(d, "#req-reason", "the overview report")
        hz.click(d, "#record-request")
        said = status_now(d, "recorded|Refused|error|must|say")
        t.ok(said and said.startswith("Request 1 recorded, due ") and re_uk(said),
             "an FOI request recorded from the page, with its due date (UK form)", said)
        hz.open_page(d, a.base, "/requests/1")
        d.execute_script("document.getElementById('clock-on').value = arguments[0]",
                         d.execute_script("return new Date().toISOString().slice(0, 10)"))
        d.execute_script("document.getElementById('clock-kind').form.requestSubmit()")
        said = status_now(d, "recorded|Refused|error")
        stops = hz.wait_for(d, "const t = [...document.querySelectorAll('caption')].find(c => c.textContent.includes('clock'));"
                               "return t ? t.closest('table').querySelectorAll('tbody tr').length : null")
        t.ok(said and "clock is recorded" in said and stops == 1, "the FOI clock stopped for a fee, shown among the stops", f"{said} {stops}")
        check_page(d, a, t, "request")

        # ---- a legal hold: placed on the case, shown on the case page, lifted ----
        check_page(d, a, t, "holds", "/holds")
        hz.type_into(d, "#hold-target", a.case)
        d.execute_script("document.getElementById('hold-kind').value = 'coroner'")
        hz.type_into(d, "#hold-reason", "the coroner's inquest")
        hz.click(d, "#place-hold")
        said = status_now(d, "placed|Refused|error|Give|Choose")
        hold = said.split(" ")[1] if said and said.startswith("Hold ") and said.endswith(" placed.") else None
        t.ok(hold, "a coroner's hold placed on the case from the holds page", said)
        hz.open_page(d, a.base, f"/cases/{a.case}")
        hz.click(d, "#case-holds")
        shown = hz.wait_for(d, "const c = [...document.querySelectorAll('caption')].find(c => c.textContent.startsWith('Holds on'));"
                               "return c ? c.closest('table').querySelector('tbody').innerText : null")
        t.ok(shown and "the coroner's inquest" in shown and "coroner" in shown and
             d.execute_script("return location.hash") == f"#/holds?case={a.case}",
             "the case page leads to the case's holds, the new one among them", shown)
        check_page(d, a, t, "holds-case", f"/holds?case={a.case}")
        hz.type_into(d, f"#lift-{hold}-reason", "the inquest has concluded")
        hz.click(d, f"button[aria-label='Lift hold {hold}']")
        armed = status_now(d, "again")
        hz.click(d, f"button.danger[aria-label$='Lift hold {hold}']")
        said = status_now(d, "lifted|Refused|error|Give")
        gone = hz.wait_for(d, f"return document.querySelector('#main h1') && !document.getElementById('lift-{hold}-reason') ? 'gone' : null")
        t.ok(armed and said == f"Hold {hold} lifted." and gone, "the hold lifted with its reason (two presses); it leaves the list",
             f"{said} {gone}")

        # ---- retention: what is due within 90 days, a review, the batches, the whole plan ----
        check_page(d, a, t, "retention", "/retention")
        body = d.execute_script("return document.getElementById('main').innerText")
        t.ok("Due by " in body and d.execute_script("return document.getElementById('plan-days').value") == "90",
             "the retention page shows what falls due within 90 days by default", body[:600])
        batch = hz.wait_for(d, "const c = [...document.querySelectorAll('caption')].find(c => c.textContent.startsWith('Disposal batches'));"
                               "return c ? c.closest('table').querySelector('tbody').innerText : null")
        t.ok(batch and "proposed, awaiting a decision" in batch and "destroyed" in batch and "by rm" in batch,
             "the retention page lists the disposal batches with their state: 2 proposed, 1 approved by rm and destroyed", batch)
        hz.click(d, "button[data-record='1']")
        said = status_now(d, "downloading|Refused|error")
        want = os.path.join(dl, "certificate-1.json")
        end = time.time() + 20
        while time.time() < end and not (os.path.exists(want) and os.path.getsize(want) > 0):
            time.sleep(0.2)
        try:
            import json
            cert = json.load(open(want))
        except (OSError, ValueError):
            cert = {}
        t.ok(cert.get("record", {}).get("authorised_by", "").startswith("disposal batch 1 approved by rm") and cert.get("proof"),
             "batch 1's certificate of destruction downloads (certificate-1.json: the record and its inclusion proof)",
             f"{said} {str(cert)[:300]}")
        hz.click(d, "button[aria-label^='Record the review of Panel minutes']")
        filled = d.execute_script("return document.getElementById('review-doc').value + '@' + document.getElementById('review-version').value")
        d.execute_script("document.getElementById('review-until').value = '2099-01-31'")
        hz.click(d, "#record-review")
        said = status_now(d, "recorded|Refused|error|Give|Name|number")
        t.ok(said and said.startswith("Review recorded for ") and "kept until 31/01/2099" in said,
             "a review's outcome recorded from the plan's row (kept until a date, in UK form)", f"{filled} {said}")
        d.execute_script("document.getElementById('plan-days').value = 'all'")
        hz.click(d, "#plan-show")
        whole = hz.wait_for(d, "return location.hash === '#/retention?days=all' && [...document.querySelectorAll('#main h2')]"
                               ".some(x => x.textContent === 'Versions under retention') ? 'yes' : null")
        n_all = d.execute_script("const c = [...document.querySelectorAll('caption')].find(c => c.textContent === 'Retention of each version');"
                                 "return c ? c.closest('table').querySelectorAll('tbody tr').length : 0")
        t.ok(whole and n_all >= 3, "...widened to the whole plan on request", f"{whole} {n_all} rows")

        # ---- recall and transfer: an electronic copy (a release to the deputy) ----
        ecopy = d.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "import('/app/api.js').then(async (m) => {"
            " const ds = await m.call('GET', `/v1/cases/${arguments[0]}/docs`);"
            " await m.call('POST', `/v1/docs/${ds[0].doc}/versions/1/release`, {to: 'dep', reason: 'Ofsted evaluation'});"
            " const out = await m.call('GET', `/v1/recall/${arguments[0]}`);"
            " const e = out.filter((c) => c.kind === 'electronic');"
            " done(e.length === 1 ? String(e[0].copy) : 'none: ' + JSON.stringify(out));"
            "}).catch((e) => done('error: ' + e.message));", a.case)
        t.ok(ecopy and ecopy.isdigit(), "a release of the overview report to the deputy (through the API) is an electronic copy out", ecopy)
        check_page(d, a, t, "recall", f"/recall?subject={a.case}")
        rows = d.execute_script("return [...document.querySelectorAll('#main tbody tr')].map((r) => r.innerText)")
        t.ok(any("electronic" in r and "dep" in r for r in rows) and any("pam" in r for r in rows),
             "the recall page lists every copy of the case still out, with its holder (pam's paper copy, dep's release)", rows)
        hz.type_into(d, "#transfer-copy", ecopy)
        hz.type_into(d, "#transfer-org", "Ofsted")
        hz.click(d, "button[aria-label='Transfer the electronic copy']")
        status_now(d, "again")
        hz.click(d, "button.danger[aria-label^='Confirm the transfer']")
        said = status_now(d, "transferred|Refused|error|Give|Name")
        t.ok(said and said.startswith(f"Copy {ecopy} transferred to Ofsted"), "the electronic copy transferred to Ofsted (two presses)", said)
        hz.open_page(d, a.base, f"/recall?subject={a.case}")
        rows = d.execute_script("return [...document.querySelectorAll('#main tbody tr')].map((r) => r.innerText)")
        t.ok(not any("electronic" in r for r in rows), "...it is no longer out", rows)

        # ---- enrolment: a tampered request is refused, the real one registered ----
        check_page(d, a, t, "principals", "/principals")
        real = open(a.enrol_file).read()
        forged = real.replace("\nname eve\n", "\nname mallory\n")
        put = ("const r = document.getElementById('enrol-request'); r.value = arguments[0];"
               "r.dispatchEvent(new Event('input', {bubbles: true}));")
        d.execute_script(put, forged)
        facts = d.execute_script("return document.getElementById('enrol-facts').textContent")
        hz.type_into(d, "#enrol-words", a.enrol_words)
        hz.click(d, "#enrol-register")
        said = status_now(d, "registered|waits|Refused|error|failed|altered|match|signature|words|[Ss]omething")
        err = d.execute_script("return document.querySelector('#main [role=status]').classList.contains('error')")
        t.ok(forged != real and "mallory" in facts and said and err and "registered" not in said,
             "a tampered enrolment request (its name changed) is refused, with the words right", f"{facts} | {said}")
        d.execute_script(put, real)
        hz.type_into(d, "#enrol-words", a.enrol_words)
        hz.click(d, "#enrol-register")
        said = status_now(d, "registered|waits|Refused|error|failed")
        words = hz.wait_for(d, "const p = document.getElementById('enrol-words-confirmed'); return p ? p.textContent : null")
        t.ok(said == "eve is registered." and words and a.enrol_words in words,
             "eve registered from her request and the six words she read out; the words shown", f"{said} | {words}")
        hz.click(d, "#enrol-acceptance")
        want = os.path.join(dl, "eve.accept")
        end = time.time() + 20
        while time.time() < end and not (os.path.exists(want) and os.path.getsize(want) > 0):
            time.sleep(0.2)
        head = open(want).read(22) if os.path.exists(want) else ""
        t.ok(head == "scrvault-acceptance v1", "the vault's acceptance downloads for eve (eve.accept)", f"{head!r} {os.listdir(dl)}")
        check_page(d, a, t, "principals-enrolled")

        # ---- a passkey link for pam, shown once ----
        check_page(d, a, t, "principal", "/principals/pam")
        hz.click(d, "#make-passkey-link")
        url = hz.wait_for(d, "const i = document.getElementById('passkey-link-url'); return i ? i.value : null")
        t.ok(url and url.startswith(a.base) and "#/register?link=" in url and
             d.execute_script("return !!document.getElementById('copy-passkey-link')"),
             "a passkey link for pam, shown once with a copy button", url)

        # ---- a grant under dual control: it waits ----
        hz.type_into(d, "#grant-role", "coordinator")
        hz.click(d, "#grant-role-button")
        said = status_now(d, "waits|granted|Refused|error")
        op = said.split("operation ")[1].split(" ")[0] if said and "operation " in said else None
        t.ok(op, "granting pam the coordinator role waits for a second custodian", said)

        # ---- the attack: the one who asked cannot approve ----
        check_page(d, a, t, "ops", "/ops")
        hz.click(d, f"button.approve[data-op='{op}']")
        said = status_now(d, "Refused|approved")
        t.ok(said and said.startswith("Refused (403)"),
             "the coordinator cannot approve their own operation: the page shows the service's 403", said)
        hz.screenshot(d, os.path.join(a.shots, "coord-ops-refused-1280.png"))

        # ---- the deputy, in their own browser, approves ----
        d2, _ = browser(a)
        sign_up_and_in(d2, a, t, "the deputy", a.deputy_link)
        hz.open_page(d2, a.base, "/ops")
        hz.click(d2, f"button.approve[data-op='{op}']")
        said = status_now(d2, "Refused|approved")
        t.ok(said and "approved" in said and not said.startswith("Refused"),
             "the deputy approves the grant from their own session", said)
        gone = hz.wait_for(d2, f"return document.querySelector(\"button.approve[data-op='{op}']\") ? null : 'gone'")
        t.ok(gone, "...it leaves the pending list")
        check_page(d2, a, t, "ops-deputy", "/ops")
        hz.open_page(d2, a.base, "/copies/2")
        st = hz.wait_for(d2, "const p = document.getElementById('witness-statement'); return p ? p.textContent : null")
        t.ok(st and d2.execute_script("return !!document.getElementById('witness-pending')"),
             "the witness, in their own session, sees the statement they confirm", st)
        check_page(d2, a, t, "copy-witness")
        hz.click(d2, "#witness-confirm")
        said = status_now(d2, "confirmed the destruction|Refused|error|cancelled")
        done = hz.wait_for(d2, "const dd = [...document.querySelectorAll('dl.facts dt')].find(x => x.textContent === 'Witness');"
                               "return dd && dd.nextElementSibling.textContent.startsWith('confirmed') ? 'yes' : null")
        t.ok(said and "You confirmed" in said and done, "the witness confirms the destruction with their passkey", said)

        hz.open_page(d, a.base, "/principals/pam")
        roles = d.execute_script("return document.getElementById('main').innerText")
        t.ok("coordinator" in roles, "the coordinator sees pam's new role", roles[:400])
    finally:
        d.quit()
        if d2:
            d2.quit()


if __name__ == "__main__":
    sys.exit(main())
