#!/usr/bin/env python3
"""Turn bench/out/raw.tsv into the Markdown results of bench/run.

Usage: report.py RAW CORPUS  (metadata in BM_* environment variables)

raw.tsv lines: peer, set, phase (in|out|out46), run, seconds, files, bytes.
Every figure is the median over the runs.  Where a phase covered a sample of
the set (files < the set's files), files/s and MB/s are the sample's and the
seconds are scaled to the whole set, marked with "*".
"""
import collections
import os
import statistics
import sys

raw, corpus = sys.argv[1], sys.argv[2]
env = os.environ.get
MiB = 1048576
sets = env("BM_SETS", "1mb 20mb 8kb").split()
peers = env("BM_PEERS", "git git-crypt age+git scrvault").split()
label = {"1mb": "1 MiB x 200", "20mb": "20 MiB x 20", "8kb": "8 KiB x 5000"}

setinfo = {}
for s in sets:
    d = os.path.join(corpus, s)
    names = os.listdir(d)
    setinfo[s] = (len(names), sum(os.path.getsize(os.path.join(d, n)) for n in names))

times = collections.defaultdict(list)
with open(raw) as f:
    for line in f:
        peer, s, phase, run, secs, files, nbytes = line.rstrip("\n").split("\t")
        times[(peer, s, phase)].append((float(secs), int(files), int(nbytes), int(run)))


def fig(peer, s, phase):
    rows = times.get((peer, s, phase))
    if not rows:
        return None
    secs = statistics.median(r[0] for r in rows)
    files, nbytes = rows[0][1], rows[0][2]
    allfiles = setinfo[s][0]
    return {"s": secs * allfiles / files, "mbs": nbytes / MiB / secs, "fps": files / secs,
            "sampled": files != allfiles, "n": files,
            "min": min(r[0] for r in rows) * allfiles / files,
            "max": max(r[0] for r in rows) * allfiles / files, "runs": len(rows)}


def cell(f, key, fmt):
    if f is None:
        return "-"
    if key == "fps" and f[key] < 100:
        fmt = "%.1f" if f[key] >= 10 else "%.2f"
    return fmt % f[key] + ("\\*" if f["sampled"] and key == "s" else "")


def ratio(s, phase, base, phase_sv=None):
    a, b = fig("scrvault", s, phase_sv or phase), fig(base, s, phase)
    if not a or not b:
        return None
    return b["s"] / a["s"]          # > 1: scrvault is faster


def run_ratios(s, phase, base, phase_sv=None):
    """the ratio in each run that measured both, as "lo..hi" """
    a = {row[3]: row[0] / row[1] for row in times.get(("scrvault", s, phase_sv or phase), [])}
    b = {row[3]: row[0] / row[1] for row in times.get((base, s, phase), [])}
    both = [b[k] / a[k] for k in a if k in b]
    if not both:
        return "-"
    return f"{min(both):.2f}..{max(both):.2f}"


def r(x):
    return "-" if x is None else f"{x:.2f}x"


print("# scrvault benchmark results\n")
print(f"Run {env('BM_STARTED', '?')}, median of {env('BM_RUNS', '?')} run(s) per figure, "
      f"{env('BM_ELAPSED', '?')} s in all.  scrvault {env('BM_REV', '?')}; git {env('BM_GIT', '?')}, "
      f"git-crypt {env('BM_GITCRYPT', '?')}, age {env('BM_AGE', '?')}; "
      f"{env('BM_NPROC', '?')} x {env('BM_CPU', '?')}; load average (1, 5, 15 min) before / after: "
      f"{env('BM_LOAD', '?')}.\n")
print("MB = MiB (2^20 bytes).  scrvault's check-in is one `doc checkin` of the whole set "
      "into a fresh vault, unlock with the default 46 MiB Argon2id key file included.  Its "
      "check-out is measured three ways: batch = one `doc checkout -o DIR --case REF` process "
      "(default key file, unlock included); one `doc checkout` process per document with a "
      "custodian key file of 8 MiB Argon2id (the minimum); and a sample of that with the "
      "default 46 MiB key file.\n")
print("| set | peer | check-in s | MB/s | files/s | check-out s | MB/s | files/s |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
sampled = []
for s in sets:
    for p in peers:
        fi, fo = fig(p, s, "in"), fig(p, s, "out")
        if fi is None and fo is None:
            continue
        fb = fig(p, s, "outb") if p == "scrvault" else None
        if fb:
            print(f"| {label.get(s, s)} | scrvault (batch check-out) | {cell(fi, 's', '%.2f')} "
                  f"| {cell(fi, 'mbs', '%.1f')} | {cell(fi, 'fps', '%.0f')} | {cell(fb, 's', '%.2f')} "
                  f"| {cell(fb, 'mbs', '%.1f')} | {cell(fb, 'fps', '%.1f')} |")
            fi = None
        name = "scrvault (one process per doc, 8 MiB KDF)" if p == "scrvault" else p
        print(f"| {label.get(s, s)} | {name} | {cell(fi, 's', '%.2f')} | {cell(fi, 'mbs', '%.1f')} "
              f"| {cell(fi, 'fps', '%.0f')} | {cell(fo, 's', '%.2f')} | {cell(fo, 'mbs', '%.1f')} "
              f"| {cell(fo, 'fps', '%.1f')} |")
        if fo and fo["sampled"]:
            sampled.append(f"{label.get(s, s)} {name}: {fo['n']} documents")
        if p == "scrvault":
            f46 = fig(p, s, "out46")
            if f46:
                if f46["sampled"]:
                    sampled.append(f"{label.get(s, s)} scrvault default KDF: {f46['n']} documents")
                print(f"| {label.get(s, s)} | scrvault (one process per doc, default KDF, {f46['n']} docs) | | | "
                      f"| {cell(f46, 's', '%.2f')} | {cell(f46, 'mbs', '%.1f')} | {cell(f46, 'fps', '%.1f')} |")
print("\n\\* scaled to the whole set from a sample checked out one document per process "
      "(each process costs the same unlock whatever the set size): "
      + ("; ".join(sampled) if sampled else "none") + ".")

print("\n## scrvault relative to the peers\n")
print("Speed ratio = peer's seconds / scrvault's seconds for the same set (> 1: scrvault is faster).\n")
print("| set | in vs git | in vs git-crypt | in vs age+git | out batch vs git | out batch vs git-crypt "
      "| out batch vs age+git | out per doc vs git | out per doc vs git-crypt | out per doc vs age+git "
      "| out per doc, default KDF, vs git |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for s in sets:
    print(f"| {label.get(s, s)} | {r(ratio(s, 'in', 'git'))} | {r(ratio(s, 'in', 'git-crypt'))} "
          f"| {r(ratio(s, 'in', 'age+git'))} | {r(ratio(s, 'out', 'git', 'outb'))} "
          f"| {r(ratio(s, 'out', 'git-crypt', 'outb'))} | {r(ratio(s, 'out', 'age+git', 'outb'))} "
          f"| {r(ratio(s, 'out', 'git'))} "
          f"| {r(ratio(s, 'out', 'git-crypt'))} | {r(ratio(s, 'out', 'age+git'))} "
          f"| {r(ratio(s, 'out', 'git', 'out46'))} |")

print("\n## targets\n")
print("The ratio is that of the medians; \"per run\" is the range of the ratio within each run "
      "(the peers of one run ran back to back), a guide to how much noise there was.\n")
print("| target | scrvault vs peer | per run | verdict |")
print("|---|---:|---:|---|")


def target(name, s, phase, base, need, phase_sv=None):
    value = ratio(s, phase, base, phase_sv)
    if value is None:
        print(f"| {name} | not measured | - | - |")
    else:
        print(f"| {name} | {value:.2f}x | {run_ratios(s, phase, base, phase_sv)} "
              f"| {'PASS' if value >= need else 'FAIL'} |")


for s in ("1mb", "20mb"):
    if s in sets:
        target(f"check-in {label[s]}: >= 3x plain git", s, "in", "git", 3)
        target(f"check-in {label[s]}: >= 5x git-crypt", s, "in", "git-crypt", 5)
for s in sets:
    target(f"check-out {label.get(s, s)}, batch: >= 1x plain git", s, "out", "git", 1, "outb")
for s in sets:
    target(f"check-out {label.get(s, s)}, one process per doc (8 MiB KDF): >= 1x plain git",
           s, "out", "git", 1)
for s in sets:
    target(f"check-out {label.get(s, s)}, one process per doc (default KDF): >= 1x plain git",
           s, "out", "git", 1, "out46")
if "8kb" in sets:
    target("check-in 8 KiB x 5000 in one batch: >= 1x plain git files/s", "8kb", "in", "git", 1)

print("\nscrvault makes what it writes durable (objects, database, checked-out files: an fsync "
      "each, or one syncfs for a batch); "
      "git, git-crypt and age+git, with default settings, fsync neither loose objects nor "
      "checked-out files.  Every timed step starts after a `sync`; no cache is dropped.")
print("\nRuns and spread (min..max seconds over the runs, scaled like the medians):\n")
print("| set | peer | runs | check-in | check-out |")
print("|---|---|---:|---|---|")
for s in sets:
    for p in peers:
        fi, fo = fig(p, s, "in"), fig(p, s, "out")
        if fi is None and fo is None:
            continue
        rng = lambda f: "-" if f is None else f"{f['min']:.2f}..{f['max']:.2f}"
        print(f"| {label.get(s, s)} | {p} | {(fi or fo)['runs']} | {rng(fi)} | {rng(fo)} |")
        fb = fig(p, s, "outb") if p == "scrvault" else None
        if fb:
            print(f"| {label.get(s, s)} | scrvault batch | {fb['runs']} | | {rng(fb)} |")
