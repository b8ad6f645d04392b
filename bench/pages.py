#!/usr/bin/python3
"""pages.py - how fast the pages are, in headless Chromium (bench/pages runs it).

bench/pages seeds the vault, starts scrvaultd over HTTPS on a loopback port,
unseals it and makes the coordinator's one-time passkey link; this script
registers a passkey through the link (a virtual authenticator), signs in, and
loads every page route of web/main.js fresh (about:blank, then base/#/route),
RUNS times each.  A load is done when the page's heading is drawn, the
shell's "Loading" line is gone, no call to the service is in flight and none
has started for QUIET ms.  Then, from the browser's performance API:

  document ms the document's responseEnd; scripts ms: the latest responseEnd
              of the /app/ files (the module graph loaded); first call: when
              the first /v1/ call started
  data ms     the latest responseEnd of the page's /v1/ calls (navigation
              start = 0): when the last of its data had arrived
  slowest ms  the longest single /v1/ call (responseEnd - startTime)
  FCP ms      first-contentful-paint (performance.getEntriesByType("paint"))
  ready ms    performance.now() when the heading and data were first seen
              drawn with nothing in flight (polled every 10 ms)
  calls       the number of /v1/ calls; shipped KB: the decoded bytes of the
              document and every /app/ file the load fetched

Medians of RUNS.  The same questions through the command line, through the
service's socket (scrvault --server unix:SOCK, signed in through the agent),
median wall time of RUNS.  The code size: the whole of web/ and each page's
import closure, raw and gzip.  Raw figures to --tsv (and -cli.tsv, -code.tsv,
-waterfall.tsv beside it: the first load's every resource), the Markdown to
stdout.
"""
import argparse
import gzip
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "browser"))
import harness as hz  # noqa: E402

DATA_TARGET_MS = 300
FCP_TARGET_MS = 1000
CODE_TARGET_KB = 200
QUIET_MS = 300

# What the page's reader would ask the command line (through the service).
CLI = {
    "agenda": [["agenda", "--json"]],
    "cases": [["case", "list", "--json"]],
    "case": [["case", "show", "--json", "{case}"], ["case", "timeline", "--json", "{case}"],
             ["doc", "list", "--json", "--case", "{case}"]],
    "audit": [["audit", "tail", "--json", "--lines", "50"]],
    "commissions": [["case", "clocks", "--json"]],
    "sent": [["doc", "list", "--json"]],
    "upload": [["case", "list", "--json"]],
    "copies": [["copy", "list", "--json", "--state", "outstanding"]],
    "requests": [["request", "list", "--json"]],
    "retention": [["retention", "plan", "--json"]],
    "principals": [["principal", "list", "--json"]],
    "ops": [["op", "list", "--json"]],
    "principal": [["principal", "show", "--json", "coord"]],
}

# Injected before any of the page's own scripts (CDP, not subject to the
# page's CSP): counts the page's fetches in flight and when the last one
# started or settled, and lifts the resource timing buffer's 250 entries.
PROBE = """
(() => {
  window.__pb = { inflight: 0, last: 0 };
  try { performance.setResourceTimingBufferSize(1000000); } catch (e) {}
  const f = window.fetch.bind(window);
  window.fetch = function (...args) {
    window.__pb.inflight++; window.__pb.last = performance.now();
    const done = () => { window.__pb.inflight--; window.__pb.last = performance.now(); };
    return f(...args).then((r) => { done(); return r; }, (e) => { done(); throw e; });
  };
})();
"""

WATERFALL = """
return performance.getEntriesByType('resource').map((e) => [new URL(e.name).pathname, e.startTime, e.connectStart,
  e.secureConnectionStart, e.connectEnd, e.requestStart, e.responseStart, e.responseEnd, e.nextHopProtocol || '',
  e.decodedBodySize]);
"""

WAIT = """
const done = arguments[arguments.length - 1];
const quiet = arguments[0], limit = arguments[1];
let ready = null;
function drawn() {
  const h = document.querySelector('#main h1');
  const s = document.querySelector('#main [role=status]');
  return h && !document.getElementById('loading') && window.__pb && window.__pb.inflight === 0 &&
         !(s && /^(Waiting|Loading)/.test(s.textContent));
}
function tick() {
  const now = performance.now();
  if (drawn()) {
    if (ready === null || window.__pb.last > ready) ready = Math.max(now, window.__pb.last);
    if (now - Math.max(ready, window.__pb.last) >= quiet) return finish(ready);
  } else ready = null;
  if (now > limit) return finish(null);
  setTimeout(tick, 10);
}
function finish(ready) {
  const v1 = performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname.startsWith('/v1/'));
  const app = performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname.startsWith('/app/'));
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint');
  done({
    ready: ready,
    heading: (document.querySelector('#main h1') || {}).textContent || '',
    fcp: fcp ? fcp.startTime : null,
    data: v1.length ? Math.max(...v1.map((e) => e.responseEnd)) : 0,
    doc: nav ? nav.responseEnd : null,
    app: app.length ? Math.max(...app.map((e) => e.responseEnd)) : null,
    app_n: app.length,
    first: v1.length ? Math.min(...v1.map((e) => e.startTime)) : 0,
    slowest: v1.length ? Math.max(...v1.map((e) => e.responseEnd - e.startTime)) : 0,
    slowest_name: v1.length ? new URL(v1.reduce((a, b) => (b.responseEnd - b.startTime > a.responseEnd - a.startTime ? b : a)).name).pathname : '',
    calls: v1.length,
    statuses: [...new Set(v1.map((e) => e.responseStatus || 0))].join(','),
    shipped: (nav ? nav.decodedBodySize : 0) + app.reduce((s, e) => s + (e.decodedBodySize || 0), 0),
  });
}
tick();
"""


def routes_of(main_js, case_ref):
    """The page routes of main.js's table (not the open sign-in/registration
    ones), each as (name, hash path); a parameter is filled where known."""
    out = []
    for m in re.finditer(r"\{\s*re:\s*/\^(.*?)\$/,\s*load:\s*\(\)\s*=>\s*import\(\"\./page-([\w-]+)\.js\"\)([^}]*)\}",
                         open(main_js, encoding="utf-8").read()):
        pat, page, rest = m.group(1), m.group(2), m.group(3)
        if "open: true" in rest:
            continue
        path = pat.replace("\\/", "/")
        if "(" in path:
            if page == "case" and path.startswith("/cases/"):
                out.append(("case", "/cases/" + case_ref))
            elif path.startswith("/principals/"):
                out.append(("principal", "/principals/coord"))
            else:
                print(f"# {path}: a parameter this benchmark does not know how to fill; skipped", file=sys.stderr)
            continue
        out.append((path.strip("/"), path))
    return out


def closure(web, start, seen=None):
    seen = set() if seen is None else seen
    if start in seen:
        return seen
    seen.add(start)
    src = open(os.path.join(web, start), encoding="utf-8").read()
    for m in re.finditer(r"""(?:import|from)\s*["']\./([\w.-]+\.js)["']""", src):
        closure(web, m.group(1), seen)
    return seen


def sizes(web, names):
    raw = gz = 0
    for n in names:
        b = open(os.path.join(web, n), "rb").read()
        raw += len(b)
        gz += len(gzip.compress(b, 9))
    return raw, gz


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x, nd=0):
    return "-" if x is None else f"{x:.{nd}f}"


def sign_in(d, base, link):
    hz.open_link(d, base, link)
    hz.type_into(d, "#passkey-name", "bench")
    hz.click(d, "#register-passkey")
    s = hz.wait_for(d, "const s = document.querySelector('#main .status');"
                       "return s && /registered|error/i.test(s.className + s.textContent) ? s.textContent : null;")
    if not s or "registered" not in s:
        sys.exit(f"pages.py: the passkey was not registered: {s}")
    hz.open_page(d, base, "/signin")
    hz.click(d, "#signin-passkey")
    who = hz.wait_for(d, "const w = document.getElementById('who-name'); return w && w.textContent;")
    if not who:
        sys.exit("pages.py: the passkey sign-in did not name anyone")
    return who


def cli_times(a, name, case_ref, runs):
    cmds = CLI.get(name)
    if not cmds:
        return None
    env = dict(os.environ, SCRVAULT_AGENT_SOCK=a.agent)
    argv = [[a.scrvault, "--server", "unix:" + a.socket] + [x.replace("{case}", case_ref) for x in c] for c in cmds]
    times = []
    for i in range(runs + 1):	# the first is a warm-up
        t0 = time.perf_counter()
        for c in argv:
            r = subprocess.run(c, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if r.returncode:
                print(f"# {' '.join(c[3:])}: exit {r.returncode}: {r.stderr.decode()[:200]}", file=sys.stderr)
                return None
        if i:
            times.append((time.perf_counter() - t0) * 1000)
    return med(times), " ; ".join(" ".join(x.replace("{case}", case_ref) for x in c) for c in cmds)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base", required=True)
    p.add_argument("--ca", required=True)
    p.add_argument("--link", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--case", required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--tsv", required=True)
    p.add_argument("--scrvault", required=True)
    p.add_argument("--socket", required=True)
    p.add_argument("--agent", required=True)
    p.add_argument("--timeout", type=float, default=60)
    a = p.parse_args()
    web = os.path.join(ROOT, "web")
    routes = routes_of(os.path.join(web, "main.js"), a.case)

    home = tempfile.mkdtemp(dir=a.work)
    hz.trust_ca(home, a.ca)
    d = hz.start_browser(home)
    rows = []
    raw = open(a.tsv, "w", encoding="utf-8")
    raw.write("page\trun\tdoc_ms\tapp_files\tapp_end_ms\tdata_ms\tfirst_call_ms\tslowest_ms\tslowest_call\tfcp_ms\tready_ms\tcalls\tstatuses\tshipped_bytes\theading\n")
    try:
        hz.add_authenticator(d)
        who = sign_in(d, a.base, a.link)
        print(f"# signed in in Chromium as {who}", file=sys.stderr)
        d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PROBE})
        d.set_script_timeout(a.timeout + 15)
        for name, path in routes:
            got = []
            for i in range(a.runs):
                d.get("about:blank")
                d.get(a.base + "/#" + path)
                r = d.execute_async_script(WAIT, QUIET_MS, a.timeout * 1000)
                got.append(r)
                if not rows and i == 0:
                    with open(a.tsv.replace(".tsv", "-waterfall.tsv"), "w", encoding="utf-8") as wf:
                        wf.write(f"# the first load of #{path}: every resource, ms from navigation start\n")
                        wf.write("path\tstart\tconnect_start\ttls_start\tconnect_end\trequest_start\tresponse_start"
                                 "\tresponse_end\tprotocol\tbytes\n")
                        for e in d.execute_script(WATERFALL):
                            wf.write("\t".join(str(round(x, 1)) if isinstance(x, float) else str(x) for x in e) + "\n")
                if r["ready"] is None:
                    print(f"# {name}: not done in {a.timeout:.0f} s; not repeated", file=sys.stderr)
                raw.write("%s\t%d\t%s\t%d\t%s\t%.1f\t%.1f\t%.1f\t%s\t%s\t%s\t%d\t%s\t%d\t%s\n" % (
                    name, i + 1, fmt(r["doc"], 1), r["app_n"], fmt(r["app"], 1), r["data"], r["first"], r["slowest"], r["slowest_name"], fmt(r["fcp"], 1), fmt(r["ready"], 1),
                    r["calls"], r["statuses"], r["shipped"], r["heading"].replace("\t", " ")))
                raw.flush()
                if r["ready"] is None:
                    break
            row = {"name": name, "path": path,
                   "data": med([g["data"] for g in got if g["ready"] is not None]),
                   "doc": med([g["doc"] for g in got]), "app": med([g["app"] for g in got]),
                   "first": med([g["first"] for g in got if g["ready"] is not None]),
                   "slowest": med([g["slowest"] for g in got if g["ready"] is not None]),
                   "fcp": med([g["fcp"] for g in got]),
                   "ready": med([g["ready"] for g in got]),
                   "calls": med([g["calls"] for g in got]),
                   "shipped": med([g["shipped"] for g in got]),
                   "timeouts": sum(1 for g in got if g["ready"] is None),
                   "heading": got[-1]["heading"], "statuses": got[-1]["statuses"]}
            print(f"# {name}: data {fmt(row['data'])} ms, FCP {fmt(row['fcp'])} ms, ready {fmt(row['ready'])} ms, "
                  f"{row['calls']} calls, '{row['heading']}' ({row['statuses']})", file=sys.stderr)
            rows.append(row)
    finally:
        d.quit()

    cli = open(a.tsv.replace(".tsv", "-cli.tsv"), "w", encoding="utf-8")
    cli.write("page\tcli_ms_median\tcommands\n")
    for row in rows:
        c = cli_times(a, row["name"], a.case, a.runs)
        row["cli"], row["cli_cmd"] = c if c else (None, "")
        if c:
            cli.write(f"{row['name']}\t{c[0]:.1f}\t{c[1]}\n")

    # ---- the code: the whole of web/, and each page's import closure ----
    allf = sorted(f for f in os.listdir(web) if os.path.isfile(os.path.join(web, f)))
    w_raw, w_gz = sizes(web, allf)
    shell = ["index.html", "app.css"]
    main_cl = sorted(closure(web, "main.js"))
    m_raw, m_gz = sizes(web, shell + main_cl)
    cli.close()
    raw.close()
    code = open(a.tsv.replace(".tsv", "-code.tsv"), "w", encoding="utf-8")
    code.write("what\traw_bytes\tgzip_bytes\n")
    code.write(f"web/ (all {len(allf)} files)\t{w_raw}\t{w_gz}\n")
    code.write(f"index.html + app.css + main.js closure\t{m_raw}\t{m_gz}\n")
    own = {}
    for f in allf:
        if f.startswith("page-") and f.endswith(".js"):
            cl = closure(web, f)
            own[f] = sizes(web, sorted(cl))
            code.write(f"{f} closure\t{own[f][0]}\t{own[f][1]}\n")
    code.close()

    ok = lambda c: "PASS" if c else "FAIL"  # noqa: E731
    print("| page | /v1/ calls | document ms | scripts ms | first call starts ms | data ms | slowest call ms | FCP ms | ready ms | CLI ms (same questions) | "
          f"data < {DATA_TARGET_MS} ms | FCP < {FCP_TARGET_MS} ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for r in rows:
        t = f" ({r['timeouts']} of {a.runs} not done in {a.timeout:.0f} s)" if r["timeouts"] else ""
        data_ok = r["data"] is not None and r["data"] < DATA_TARGET_MS and not r["timeouts"]
        print(f"| `#{r['path']}` | {fmt(r['calls'])} | {fmt(r['doc'])} | {fmt(r['app'])} | {fmt(r['first'])} | {fmt(r['data'])}{t} | {fmt(r['slowest'])} | {fmt(r['fcp'])} | "
              f"{fmt(r['ready'])} | {fmt(r['cli'])} | {ok(data_ok)} | {ok(r['fcp'] is not None and r['fcp'] < FCP_TARGET_MS)} |")
    print()
    print("| code | raw KB | gzip KB | < 200 KB |")
    print("|---|---:|---:|---|")
    print(f"| the whole of `web/` ({len(allf)} files) | {w_raw / 1000:.1f} | {w_gz / 1000:.1f} | {ok(w_raw < CODE_TARGET_KB * 1000)} |")
    print(f"| what every page loads: `index.html`, `app.css` and `main.js`'s import closure ({len(main_cl)} modules) | "
          f"{m_raw / 1000:.1f} | {m_gz / 1000:.1f} | {ok(m_raw < CODE_TARGET_KB * 1000)} |")
    big = max(own.items(), key=lambda kv: kv[1][0]) if own else None
    if big:
        print(f"| the largest page module's own closure (`{big[0]}`) | {big[1][0] / 1000:.1f} | {big[1][1] / 1000:.1f} | "
              f"{ok(big[1][0] < CODE_TARGET_KB * 1000)} |")
    shipped = med([r["shipped"] for r in rows])
    print(f"| shipped per load, as the browser decoded it (document + /app/ files, median over pages) | "
          f"{fmt(shipped / 1000 if shipped else None, 1)} | | {ok(shipped is not None and shipped < CODE_TARGET_KB * 1000)} |")
    print()
    print("CLI commands timed (each through `scrvault --server unix:SOCK`, signed in through the agent):")
    for r in rows:
        if r["cli_cmd"]:
            print(f"- {r['name']}: `{r['cli_cmd']}`")


if __name__ == "__main__":
    main()
