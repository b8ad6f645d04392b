#!/usr/bin/python3
"""agency.py - the agency's and the auditor's pages in headless Chromium
(tests/cli/browser-agency.sh starts the service and runs this).

alice (police IMR author) registers a passkey through her one-time link and
signs in; sends an IMR of a few MB whose connection is cut (CDP
Network.emulateNetworkConditions offline) once the first chunk is
acknowledged; the page stops, offers Resume, and resumes from the offset the
service reports once the connection is back; the receipt she downloads
verifies with scrvault-seal receipt verify; she cannot reach another
agency's IMR (404).  audrey (auditor) filters the log and downloads an export
that scrvault audit verify --vkey accepts, and the CSV; asks who could ever
have read health's IMR (who did, who could have) and downloads the answer's
proof set, which verifies; follows a destruction to its certificate.  alice
never types her agency (whoami gives it).  axe-core on each
page; screenshots to --shots.  TAP lines numbered from --first.
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as hz  # noqa: E402



def downloads_to(d, path):
    os.makedirs(path, exist_ok=True)
    d.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": path, "eventsEnabled": True})


def wait_file(path, pattern, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        got = [f for f in glob.glob(os.path.join(path, pattern)) if not f.endswith(".crdownload")]
        if got:
            time.sleep(0.2)
            return got[0]
        time.sleep(0.1)
    return None


def net(d, offline=False, up=-1):
    d.execute_cdp_cmd("Network.enable", {})
    d.execute_cdp_cmd("Network.emulateNetworkConditions",
                      {"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": up})


def sign_up_and_in(d, a, t, link, who):
    hz.open_link(d, a.base, link)
    hz.type_into(d, "#passkey-name", "work laptop")
    hz.click(d, "#register-passkey")
    s = hz.wait_for(d, "const s = document.querySelector('#main .status');"
                       "return s && /registered|error/i.test(s.className + s.textContent) ? s.textContent : null;")
    t.ok(s and "registered" in s, f"{who} registers a passkey through the coordinator's link", s)
    hz.open_page(d, a.base, "/signin")
    hz.click(d, "#signin-passkey")
    who_name = hz.wait_for(d, "const w = document.getElementById('who-name'); return w && w.textContent;")
    t.ok(who_name and who_name.startswith(who), f"{who} signs in with it (the header names her)", who_name)


def page_checks(d, a, t, name, route, shots):
    hz.set_width(d, 1280)
    heading = hz.open_page(d, a.base, route)
    probs = hz.console_problems(d)
    t.ok(heading and heading not in ("Something went wrong", "Page not found", "Not found", "Sign in") and not probs,
         f"{name}: loads ('{heading}'), no script error or CSP refusal", "\n".join(probs) or heading)
    hz.screenshot(d, os.path.join(shots, f"{name}-1280.png"))
    hz.set_width(d, 320, 640)
    hz.open_page(d, a.base, route)
    over = d.execute_script("return document.documentElement.scrollWidth")
    t.ok(over <= 320, f"{name}: fits 320 px", f"scrollWidth {over}")
    hz.screenshot(d, os.path.join(shots, f"{name}-320.png"))
    hz.check_zoom(d, t, a.base, route, name, os.path.join(shots, f"{name}-200pct.png"))
    if a.axe:
        bad = hz.serious(hz.run_axe(d, a.axe))
        t.ok(not bad, f"axe-core: no serious or critical violation on {name}", "\n".join(bad))
    else:
        t.skip(f"axe-core on {name}", "axe-core is not installed (tests/browser/install-axe could not reach the npm registry)")
    hz.set_width(d, 1280)
    return heading


def status_of(d, path):
    return d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {credentials: 'same-origin', cache: 'no-store'}).then(r => done(r.status), e => done(String(e)));",
        path)


def alice(a, t):
    home = tempfile.mkdtemp(dir=a.work)
    hz.trust_ca(home, a.ca)
    d = hz.start_browser(home)
    dl = os.path.join(home, "downloads")
    try:
        hz.add_authenticator(d)
        downloads_to(d, dl)
        sign_up_and_in(d, a, t, a.link_alice, "alice")
        for name, route in (("commissions", "/commissions"), ("sent-before", "/sent"), ("upload", "/upload?case=SCR-A")):
            page_checks(d, a, t, name, route, a.shots)
        hz.open_page(d, a.base, "/commissions")
        ctext = d.execute_script("return document.getElementById('main').textContent")
        t.ok("SCR-A" in ctext and "police" in ctext, "the commissions page lists the police IMR on SCR-A", ctext[:300])

        # ---- the upload, its connection cut once the first chunk is acknowledged ----
        hz.open_page(d, a.base, "/upload?case=SCR-A")
        d.find_element("css selector", "#up-file").send_keys(a.imr)
        own = d.execute_script("const o = document.getElementById('up-agency-own'); return o ? o.textContent : null;")
        t.ok(own == "Agency: police" and not d.execute_script("return document.getElementById('up-agency')"),
             "the upload page names alice's agency from her record (whoami): no field to type it in", own)
        size = os.path.getsize(a.imr)
        net(d, up=1024 * 1024)   # 1 MB/s up: a chunk takes about half a second
        hz.click(d, "#up-send")
        got = hz.wait_for(d, "const b = document.getElementById('up-progress');"
                             "return b && Number(b.dataset.received || 0) > 0 ? Number(b.dataset.received) : null;", 60)
        net(d, offline=True)
        t.ok(got and got < size, "the first chunk is acknowledged; then the connection is cut (offline)", f"received {got} of {size}")
        paused = hz.wait_for(d, "const r = document.getElementById('up-resume'); return r && !r.hidden;", 30)
        where = d.execute_script("return Number(document.getElementById('up-progress').dataset.received || 0)")
        said = d.execute_script("return document.querySelector('#main [role=status]').textContent")
        t.ok(paused and 0 < where < size, "the page stops and offers Resume, part sent", f"{where} of {size}: {said}")
        t.ok(d.execute_script("return document.activeElement && document.activeElement.id") == "up-resume",
             "...with the focus on Resume (the keyboard's next step)")
        hz.screenshot(d, os.path.join(a.shots, "upload-paused-1280.png"))
        net(d, offline=False)
        hz.click(d, "#up-resume")
        done = hz.wait_for(d, "return document.getElementById('receipt-download')", 90)
        t.ok(done, "back online, Resume finishes the upload: the signed receipt is shown",
             d.execute_script("return document.querySelector('#main [role=status]').textContent"))
        t.ok(d.execute_script("return !!document.querySelector('#receipt-match.done')"),
             "the receipt's SHA-256 is the one the browser computed (crypto.subtle)")
        hz.screenshot(d, os.path.join(a.shots, "upload-receipt-1280.png"))
        if a.axe:
            bad = hz.serious(hz.run_axe(d, a.axe))
            t.ok(not bad, "axe-core: no serious or critical violation on the receipt", "\n".join(bad))
        else:
            t.skip("axe-core on the receipt", "axe-core is not installed (tests/browser/install-axe could not reach the npm registry)")
        hz.click(d, "#receipt-download")
        rec = wait_file(dl, "receipt-*.json")
        t.ok(rec, "the receipt downloads (a file)", os.listdir(dl) if os.path.isdir(dl) else "no download dir")
        if rec:
            r = subprocess.run([a.seal, "receipt", "verify", "--vkey", a.vkey, "--file", a.imr, rec],
                               capture_output=True, text=True)
            t.ok(r.returncode == 0, "scrvault-seal receipt verify accepts the downloaded receipt with the file sent",
                 r.stdout + r.stderr)
            bad = rec + ".forged"
            with open(rec) as f, open(bad, "w") as g:
                g.write(f.read().replace('"version":1', '"version":2'))
            r = subprocess.run([a.seal, "receipt", "verify", "--vkey", a.vkey, bad], capture_output=True, text=True)
            t.ok(r.returncode == 5, "...and refuses it with its version changed (exit 5)", f"{r.returncode} {r.stderr}")
        page_checks(d, a, t, "sent", "/sent", a.shots)
        stext = d.execute_script("return document.getElementById('main').textContent")
        t.ok("police-imr.pdf" in stext, "what we sent lists the IMR just received", stext[:300])

        # ---- another agency's IMR: not hers, not reachable ----
        st = [status_of(d, f"/v1/docs/{a.other_doc}"), status_of(d, f"/v1/docs/{a.other_doc}/log"),
              status_of(d, f"/v1/docs/{a.other_doc}/versions/1/content")]
        t.ok(st == [404, 404, 404], "alice cannot reach health's IMR on another case: 404, 404, 404", st)
        heading = hz.open_page(d, a.base, "/cases/SCR-B")
        alert = d.execute_script("const a = document.querySelector('#main [role=alert]'); return a ? a.textContent : ''")
        t.ok(heading == "Not found" and "health" not in (alert or "") and "Child B" not in d.execute_script("return document.getElementById('main').textContent"),
             "...nor its case's page (the service's refusal shown, nothing of the case)", f"{heading}: {alert}")
    finally:
        d.quit()


def fetch_json(d, path):
    return d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {credentials: 'same-origin', cache: 'no-store'})"
        ".then(r => r.json()).then(done, e => done(null));", path)


def manager(a, t):
    """mo, the police's authorising manager, signs alice's IMR off in the browser with his passkey."""
    home = tempfile.mkdtemp(dir=a.work)
    hz.trust_ca(home, a.ca)
    d = hz.start_browser(home)
    try:
        hz.add_authenticator(d)
        sign_up_and_in(d, a, t, a.link_manager, "mo")
        docs = fetch_json(d, "/v1/cases/SCR-A/docs") or []
        imr = [x["doc"] for x in docs if x.get("class") == "imr"]
        t.ok(len(imr) == 1, "mo sees the police IMR alice sent on SCR-A", docs)
        page_checks(d, a, t, "sent-manager", "/sent", a.shots)
        b = d.execute_script("return [...document.querySelectorAll('#main button')]"
                             ".filter(b => /^Sign off version 1$/.test(b.textContent))[0] || null")
        t.ok(b is not None, "what was sent offers mo 'Sign off version 1'")
        if b is not None and imr:
            b.click()
            said = hz.wait_for(d, "const s = document.querySelector('#main [role=status]');"
                                  "return s && /done|error/.test(s.className) ? s.className + ': ' + s.textContent : null;", 30)
            t.ok(said and said.startswith("status done"), "his passkey signs it off in the browser", said)
            hz.screenshot(d, os.path.join(a.shots, "signoff-1280.png"))
            doc = fetch_json(d, f"/v1/docs/{imr[0]}") or {}
            so = [x for x in doc.get("signoffs", []) if x.get("signer") == "mo"]
            t.ok(so and so[0].get("verification", "").startswith("valid (a passkey"),
                 "the vault records it and verifies it as a passkey's sign-off", so)
            if so:
                sf, pf = os.path.join(home, "statement"), os.path.join(home, "proof.json")
                with open(sf, "w") as f:
                    f.write(so[0]["statement"])
                with open(pf, "w") as f:
                    json.dump(so[0]["proof"], f)
                r = subprocess.run(["/usr/bin/python3", a.wa, "verify", sf, pf], capture_output=True, text=True)
                t.ok(r.returncode == 0, "the assertion checks offline against the public key it carries, "
                     "knowing nothing of the vault", r.stdout + r.stderr)
                with open(sf, "w") as f:
                    f.write(so[0]["statement"].replace('"version":1', '"version":2'))
                r = subprocess.run(["/usr/bin/python3", a.wa, "verify", sf, pf], capture_output=True, text=True)
                t.ok(r.returncode != 0, "...and is no sign-off of another version", r.stdout + r.stderr)
    finally:
        d.quit()


def auditor(a, t):
    home = tempfile.mkdtemp(dir=a.work)
    hz.trust_ca(home, a.ca)
    d = hz.start_browser(home)
    dl = os.path.join(home, "downloads")
    try:
        hz.add_authenticator(d)
        downloads_to(d, dl)
        sign_up_and_in(d, a, t, a.link_auditor, "audrey")
        page_checks(d, a, t, "audit", "/audit", a.shots)
        vk = d.execute_script("return document.getElementById('audit-vkey').textContent")
        t.ok(vk == a.vkey, "the audit page shows the vault's verifier key", vk)
        # filter: alice's check-ins
        hz.type_into(d, "#audit-actor", "alice")
        hz.type_into(d, "#audit-action", "doc.checkin")
        hz.click(d, "#audit-go")
        rows = hz.wait_for(d, "return location.hash.includes('actor=alice') && document.querySelector('#main tbody tr') ?"
                              " [...document.querySelectorAll('#main tbody tr')].map(r => r.textContent) : null;")
        t.ok(rows and all("alice" in r and "doc.checkin" in r for r in rows),
             "the auditor filters the log by person and action: alice's check-in", rows)
        hz.screenshot(d, os.path.join(a.shots, "audit-filtered-1280.png"))
        if a.axe:
            bad = hz.serious(hz.run_axe(d, a.axe))
            t.ok(not bad, "axe-core: no serious or critical violation on the filtered log", "\n".join(bad))
        else:
            t.skip("axe-core on the filtered log", "axe-core is not installed (tests/browser/install-axe could not reach the npm registry)")
        hz.click(d, "#audit-dl-jsonl")
        hz.wait_for(d, "return document.getElementById('audit-jsonl')")
        hz.click(d, "#audit-jsonl")
        exp = wait_file(dl, "audit-export-*.jsonl")
        t.ok(exp, "the export downloads (JSON Lines)")
        if exp:
            r = subprocess.run([a.scrvault, "audit", "verify", "--vkey", a.vkey, exp], capture_output=True, text=True)
            t.ok(r.returncode == 0, "scrvault audit verify --vkey accepts the downloaded export", r.stdout + r.stderr)
            lines = open(exp).read().splitlines()
            forged = exp + ".forged"
            with open(forged, "w") as g:
                g.write("\n".join(l.replace('"alice"', '"mallory"') for l in lines) + "\n")
            r = subprocess.run([a.scrvault, "audit", "verify", "--vkey", a.vkey, forged], capture_output=True, text=True)
            t.ok(r.returncode != 0, "...and refuses it with the person changed", f"{r.returncode} {r.stderr}")
        hz.click(d, "#audit-dl-csv")
        hz.wait_for(d, "return document.getElementById('audit-csv')")
        hz.click(d, "#audit-csv")
        csv = wait_file(dl, "audit-export-*.csv")
        body = open(csv).read() if csv else ""
        t.ok(csv and "alice" in body and "doc.checkin" in body, "...and as CSV", body[:300])
        # the canned questions load, each with its downloads
        for q in ("releases", "refusals", "destructions", "copies", "foi"):
            heading = hz.open_page(d, a.base, "/audit?q=" + q)
            h2 = d.execute_script("return document.getElementById('audit-results-h').textContent")
            t.ok(heading == "Audit log" and h2 and not hz.console_problems(d), f"the question '{h2}' is answered", heading)
            if q == "refusals":
                hz.screenshot(d, os.path.join(a.shots, "audit-refusals-1280.png"))
        # who could ever have read health's IMR: who did (on record), then who could have
        page_checks(d, a, t, "audit-readers", "/audit?q=readers&doc=" + a.other_doc, a.shots)
        parts = d.execute_script(
            "return [...document.querySelectorAll('#main h3')].map(h => {"
            " const n = h.nextElementSibling; return [h.textContent, n && n.querySelector('tbody') ?"
            " [...n.querySelectorAll('tbody tr')].map(r => r.textContent) : []]; });")
        parts = dict(parts or [])
        did, could = parts.get("Did read (on record)"), parts.get("Could have read (held a role that reads it)")
        t.ok(did is not None and could is not None, "the answer says plainly who did read and who could have", parts)
        t.ok(did and any("coord" in r and "checkout" in r for r in did), "did read: the coordinator's check-out", did)
        t.ok(could and any(r.startswith("bob") and "health" in r for r in could) and any(r.startswith("coord") for r in could)
             and not any(r.startswith(x) for r in could for x in ("alice", "audrey", "mo")),
             "could read: bob (health's IMR author) and the coordinator; not alice, mo (police) nor the auditor", could)
        hz.click(d, "#audit-dl-jsonl")
        hz.wait_for(d, "return document.getElementById('audit-jsonl')")
        hz.click(d, "#audit-jsonl")
        ps = wait_file(dl, "audit-readers-*.jsonl")
        t.ok(ps, "the answer downloads as the proof set of its entries (JSON Lines)")
        if ps:
            r = subprocess.run([a.scrvault, "audit", "verify", "--vkey", a.vkey, ps], capture_output=True, text=True)
            t.ok(r.returncode == 0, "scrvault audit verify --vkey accepts it", r.stdout + r.stderr)
        hz.click(d, "#audit-dl-csv")
        hz.wait_for(d, "return document.getElementById('audit-csv')")
        hz.click(d, "#audit-csv")
        csv = wait_file(dl, "audit-readers-*.csv")
        body = open(csv).read() if csv else ""
        t.ok(csv and body.startswith("answer,from,how,") and "could read" in body and "bob" in body, "...and as CSV", body[:300])
        # destructions, each version's linked to its certificate
        page_checks(d, a, t, "audit-destructions", "/audit?q=destructions", a.shots)
        href = d.execute_script("const l = document.querySelector('#main a[href^=\"/v1/retention/certificates/\"]');"
                                " return l ? l.getAttribute('href') : null;")
        cert = fetch_json(d, href) if href else None
        t.ok(isinstance(cert, dict) and a.destroyed_doc in json.dumps(cert.get("record")) and cert.get("proof"),
             "the destroyed notification form links to its certificate of destruction", f"{href}: {str(cert)[:300]}")
        heading = hz.open_page(d, a.base, "/audit?q=restricted")
        h2 = d.execute_script("return document.getElementById('audit-results-h').textContent")
        t.ok(heading == "Audit log" and h2 and not hz.console_problems(d), f"the question '{h2}' is answered", heading)
        # an auditor never reaches content: the service refuses it
        st = status_of(d, f"/v1/docs/{a.other_doc}/versions/1/content")
        t.ok(st in (403, 404), "the auditor is refused a document's content by the service", st)
    finally:
        d.quit()


def main():
    ap = argparse.ArgumentParser()
    for k in ("base", "ca", "work", "shots", "link-alice", "link-auditor", "link-manager", "imr", "other-doc", "vkey",
              "seal", "scrvault", "wa", "destroyed-doc"):
        ap.add_argument("--" + k, required=True)
    ap.add_argument("--axe")
    ap.add_argument("--first", type=int, default=1)
    ap.add_argument("--count-file")
    a = ap.parse_args()
    return hz.run_parts(a, [(p, f"the {p.__name__} journey") for p in (alice, manager, auditor)])


if __name__ == "__main__":
    sys.exit(main())
