#!/usr/bin/env python3
"""Helpers for bench/run (standard library only).

  benchlib.py freeport                      a free loopback TCP port (the kernel's pick)
  benchlib.py tree PID...                   the PIDs and all their descendants, comma-separated
  benchlib.py cpu PID,...                   utime+stime of those processes (all threads), seconds
  benchlib.py mem KEY PID,...               sum of /proc/PID/status KEY (VmRSS, VmHWM) in KiB
  benchlib.py netstat KEY                   a TcpExt counter (ListenOverflows, ListenDrops)
  benchlib.py routed METRICS_FILE            the gateway's requests by region and code, and failovers
  benchlib.py waitport PORT SECONDS         wait (bounded) until 127.0.0.1:PORT accepts; exit 1 if not
  benchlib.py report RESULTS.jsonl MD JSON  render the collected results
"""
import json
import os
import statistics
import socket
import sys
import time


def freeport():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    print(port)


def children_map():
    kids = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rfind(")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(name))
    return kids


def tree(pids):
    kids = children_map()
    out, todo = [], [int(p) for p in pids]
    seen = set()
    while todo and len(out) < 10000:
        p = todo.pop()
        if p in seen or not os.path.exists(f"/proc/{p}"):
            continue
        seen.add(p)
        out.append(p)
        todo.extend(kids.get(p, []))
    print(",".join(str(p) for p in sorted(out)))


def cpu(csv):
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in filter(None, csv.split(",")):
        try:
            with open(f"/proc/{p}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    print(f"{total / tick:.2f}")


def mem(key, csv):
    total = 0
    for p in filter(None, csv.split(",")):
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith(key + ":"):
                        total += int(line.split()[1])
        except OSError:
            continue
    print(total)


def netstat(key):
    """A TcpExt counter of /proc/net/netstat (e.g. ListenOverflows: SYNs dropped, backlog full)."""
    with open("/proc/net/netstat") as f:
        lines = f.read().splitlines()
    for names, values in zip(lines[::2], lines[1::2]):
        if names.startswith("TcpExt:"):
            table = dict(zip(names.split()[1:], values.split()[1:]))
            print(table.get(key, 0))
            return
    print(0)


def routed(path):
    """meridian_requests_total by region and code, and meridian_failovers_total, from /metrics."""
    import re
    per, failovers = {}, 0.0
    try:
        lines = open(path).read().splitlines()
    except OSError:
        lines = []
    for line in lines:
        m = re.match(r'meridian_requests_total\{([^}]*)\} ([0-9.e+]+)', line)
        if m:
            region = re.search(r'region="([^"]*)"', m.group(1))
            code = re.search(r'code="([^"]*)"', m.group(1))
            key = (region.group(1) if region else "?") + " " + (code.group(1) if code else "?")
            per[key] = per.get(key, 0) + float(m.group(2))
        elif line.startswith("meridian_failovers_total"):
            failovers += float(line.split()[-1])
    print(", ".join(f"{k}: {v:.0f}" for k, v in sorted(per.items())) + f"; failovers: {failovers:.0f}")


def waitport(port, seconds):
    deadline = time.monotonic() + float(seconds)
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", int(port)), timeout=0.5):
                return 0
        except OSError:
            time.sleep(0.05)
    return 1


# ---------------------------------------------------------------------------------------------
# Report


def fnum(v, digits=0):
    if v is None or v == "":
        return "–"
    if isinstance(v, str):
        return v
    if digits == 0:
        return f"{v:,.0f}"
    return f"{v:,.{digits}f}"


def ratio(a, b):
    if not a or not b:
        return "–"
    return f"{a / b:.2f}×"


def report(results_path, md_path, json_path):
    rows = []
    with open(results_path) as f:
        for line in f:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    meta = next((r for r in rows if r["kind"] == "meta"), {})
    names = meta.get("contestant_names", {})
    load = [r for r in rows if r["kind"] == "load"]
    stream = [r for r in rows if r["kind"] == "stream"]
    streams_many = [r for r in rows if r["kind"] == "streams_many"]
    idle = [r for r in rows if r["kind"] == "idle"]
    failover = [r for r in rows if r["kind"] == "failover"]
    alt = [r for r in rows if r["kind"] == "alt"]
    idle_load = {r["contestant"]: r for r in rows if r["kind"] == "idle_load"}
    peak = {r["contestant"]: r for r in rows if r["kind"] == "peak"}
    notes = [r["text"] for r in rows if r["kind"] == "note"]

    direct = {r["conns"]: r for r in load if r["contestant"] == "direct"}
    by = {(r["contestant"], r["conns"]): r for r in load}
    order = [c for c in meta.get("contestants", []) if any(r.get("contestant") == c for r in rows)]
    concs = sorted({r["conns"] for r in load})

    out = []
    w = out.append
    w("# Meridian gateway benchmark")
    w("")
    w(f"- Date: {meta.get('date', '?')}")
    w(f"- Command: `{meta.get('command', '?')}`")
    w(f"- Machine: {meta.get('cpu', '?')}, {meta.get('cores', '?')} cores, {meta.get('mem', '?')}, kernel {meta.get('kernel', '?')}")
    w(f"- Pinning: load generator and probes on CPU {meta.get('client_cpu', '0')}; proxy and upstream on CPU {meta.get('server_cpu', '1')} (`taskset`)")
    w(f"- Versions: {meta.get('versions', '?')}")
    w(f"- Load: wrk, 1 thread, {meta.get('duration', '?')} s per step after a {meta.get('warmup', '?')} s warm-up; "
      f"non-streaming POST /v1/chat/completions ({meta.get('body_bytes', '?')} B body)")
    w(f"- Upstream: bench_upstream (C++, epoll, one thread); streams {meta.get('chunks', '?')} SSE chunks {meta.get('interval_ms', '?')} ms apart")
    if meta.get("load_average"):
        w(f"- Load average at start: {meta['load_average']}")
    w("")
    w("## Throughput and latency")
    w("")
    w("Added latency is the contestant's percentile minus direct's at the same connection count. "
      "CPU is the proxy's own processes (for direct: the upstream's), user+system, per 10,000 requests.")
    w("")
    w("| contestant | conns | req/s | P50 µs | P99 µs | +P50 µs | +P99 µs | CPU s / 10k req | errors |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for c in order:
        for n in concs:
            r = by.get((c, n))
            if not r:
                continue
            d = direct.get(n)
            add50 = r["p50_us"] - d["p50_us"] if d and c != "direct" else None
            add99 = r["p99_us"] - d["p99_us"] if d and c != "direct" else None
            w(f"| {names.get(c, c)} | {n} | {fnum(r['rps'])} | {fnum(r['p50_us'])} | {fnum(r['p99_us'])} | "
              f"{fnum(add50)} | {fnum(add99)} | {fnum(r.get('cpu_per_10k'), 3)} | {r['errors']} |")
    w("")
    w("### Ratios (requests/s, same run, same CPU share)")
    w("")
    w("| conns | Meridian (1 thread) | HAProxy | nginx | Portkey | Meridian / HAProxy | Meridian / nginx | Meridian / Portkey |")
    w("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in concs:
        m = by.get(("meridian", n), {}).get("rps")
        h = by.get(("haproxy", n), {}).get("rps")
        x = by.get(("nginx", n), {}).get("rps")
        p = by.get(("portkey", n), {}).get("rps")
        w(f"| {n} | {fnum(m)} | {fnum(h)} | {fnum(x)} | {fnum(p)} | {ratio(m, h)} | {ratio(m, x)} | {ratio(m, p)} |")
    w("")
    if peak:
        w("### Peak memory")
        w("")
        w("| contestant | peak RSS (VmHWM) after the load steps |")
        w("| --- | ---: |")
        for c in order:
            if c in peak:
                w(f"| {names.get(c, c)} | {peak[c]['hwm_kb'] / 1024:.1f} MiB |")
        w("")
    if stream:
        sd = next((r for r in stream if r["contestant"] == "direct"), None)
        w("## Streaming (one stream at a time)")
        w("")
        w(f"Medians over {stream[0].get('rounds', '?')} sequential streams, each on a fresh client connection. "
          "A read is a read() that returned data; a contestant relaying chunk by chunk shows about one "
          "read per chunk, one that buffers shows a few.")
        w("")
        w("| contestant | TTFB P50 µs | first event P50 µs | first event P99 µs | +first event µs | reads | events | whole stream ms | failed |")
        w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for c in order:
            r = next((s for s in stream if s["contestant"] == c), None)
            if not r:
                continue
            add = r["event_p50_us"] - sd["event_p50_us"] if sd and c != "direct" else None
            w(f"| {names.get(c, c)} | {fnum(r['ttfb_p50_us'])} | {fnum(r['event_p50_us'])} | {fnum(r['event_p99_us'])} | "
              f"{fnum(add)} | {fnum(r['reads_median'])} | {fnum(r['events_median'])} | {r['total_p50_us'] / 1000:.1f} | {r['failed']} |")
        w("")
    if streams_many:
        sd = next((r for r in streams_many if r["contestant"] == "direct"), None)
        n = streams_many[0].get("streams", "?")
        w(f"## {n} concurrent streams")
        w("")
        w("All requests sent back to back by one client thread; latency from each request's own send. "
          "CPU s: the contestant's processes during the probe (for direct: the upstream's). SYNs dropped: "
          "the kernel's ListenOverflows counter over the probe (a full listen backlog; the client retries after 1 s).")
        w("")
        w("| contestant | ok | failed | first event P50 µs | P99 µs | +P50 vs direct µs | +P99 vs direct µs | whole stream P50 ms | reads (median) | CPU s | SYNs dropped (listen backlog full) |")
        w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for c in order:
            r = next((s for s in streams_many if s["contestant"] == c), None)
            if not r:
                continue
            a50 = r["event_p50_us"] - sd["event_p50_us"] if sd and c != "direct" else None
            a99 = r["event_p99_us"] - sd["event_p99_us"] if sd and c != "direct" else None
            w(f"| {names.get(c, c)} | {r['ok']} | {r['failed']} | {fnum(r['event_p50_us'])} | {fnum(r['event_p99_us'])} | "
              f"{fnum(a50)} | {fnum(a99)} | {r['total_p50_us'] / 1000:.1f} | {fnum(r['reads_median'])} | {fnum(r.get('cpu_s'), 2)} | {r.get('listen_overflows', '–')} |")
        w("")
    if idle:
        w("## Idle keep-alive connections")
        w("")
        w("Each connection made one request, then stayed open and idle; RSS summed over the contestant's processes. "
          "With the connections still open, a load step at 64 connections ran beside them (req/s beside idle); "
          "compare with the same contestant's 64-connection row above.")
        w("")
        w("| contestant | connections | still open | failed | RSS before | RSS idle | per connection | peak RSS | time to open | SYNs dropped | req/s at 64 conns beside idle |")
        w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for c in order:
            r = next((s for s in idle if s["contestant"] == c), None)
            if not r:
                continue
            w(f"| {names.get(c, c)} | {r['conns']} | {r['still_open']} | {r['failed']} | {r['rss_before_kb'] / 1024:.1f} MiB | "
              f"{r['rss_idle_kb'] / 1024:.1f} MiB | {r['kb_per_conn']:.2f} KiB | {r['hwm_kb'] / 1024:.1f} MiB | "
              f"{r['seconds']:.1f} s | {r.get('listen_overflows', '–')} | {fnum(idle_load.get(c, {}).get('rps'))} |")
        w("")
    if failover:
        w("## Failover")
        w("")
        w("Two regions (two bench_upstream processes); wrk with per-connection pacing at about the target rate; "
          "the preferred region's upstream is killed (SIGKILL) mid-run.")
        w("")
        w("| target rate | achieved req/s | requests | non-2xx | socket errors | P50 µs | P99 µs | max µs | killed after s | gateway counters (region code: requests) |")
        w("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
        for r in failover:
            w(f"| {r['rate']} | {fnum(r['rps'])} | {r['requests']} | {r['non2xx']} | {r['socket_errors']} | "
              f"{fnum(r['p50_us'])} | {fnum(r['p99_us'])} | {fnum(r['max_us'])} | {r['kill_after_s']} | {r.get('routed', '–')} |")
        w("")
    # Alternating rounds: medians, and the ratios taken round by round.
    alt_by = {}
    for r in alt:
        # A step wrk gave no result for (or with errors) is no measurement: left out.
        if r.get("requests") and not r.get("errors"):
            alt_by.setdefault((r["contestant"], r["conns"]), {})[r["round"]] = r
    alt_order = [c for c in order if any(k[0] == c for k in alt_by)]
    alt_concs = sorted({k[1] for k in alt_by})
    rounds = sorted({r["round"] for r in alt})

    def alt_median(c, n, key):
        vals = [r[key] for r in alt_by.get((c, n), {}).values() if r.get(key) is not None]
        return statistics.median(vals) if vals else None

    def round_ratios(a, b, n, key="rps", diff=False):
        out_vals = []
        for rd in rounds:
            ra, rb = alt_by.get((a, n), {}).get(rd), alt_by.get((b, n), {}).get(rd)
            if ra and rb and ra.get(key) is not None and rb.get(key) is not None and (diff or rb[key]):
                out_vals.append(ra[key] - rb[key] if diff else ra[key] / rb[key])
        return out_vals

    if alt:
        w("## Alternating rounds (the ratios to trust)")
        w("")
        w(f"The contestants below ran side by side, idle when not measured, and {len(rounds)} rounds of short steps "
          "alternated between them, so that the machine's drift from minute to minute falls on all of them alike. "
          "Medians over the rounds; the ratios are taken round by round, then their median.")
        w("")
        w("| contestant | conns | median req/s | min–max req/s | median P50 µs | median +P50 µs | median CPU s / 10k req | errors |")
        w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for c in alt_order:
            for n in alt_concs:
                rs = list(alt_by.get((c, n), {}).values())
                if not rs:
                    continue
                add = round_ratios(c, "direct", n, "p50_us", diff=True) if c != "direct" else []
                errors = sum(r["errors"] for r in alt if r["contestant"] == c and r["conns"] == n)
                w(f"| {names.get(c, c)} | {n} | {fnum(alt_median(c, n, 'rps'))} | "
                  f"{fnum(min(r['rps'] for r in rs))}–{fnum(max(r['rps'] for r in rs))} | "
                  f"{fnum(alt_median(c, n, 'p50_us'))} | {fnum(statistics.median(add)) if add else '–'} | "
                  f"{fnum(alt_median(c, n, 'cpu_per_10k'), 3)} | {errors} |")
        w("")
        pairs = [("meridian", "haproxy"), ("meridian", "nginx"), ("meridian", "meridian-qt")]
        w("| ratio (req/s) | conns | per round | median |")
        w("| --- | ---: | --- | ---: |")
        for a, b in pairs:
            for n in alt_concs:
                rr = round_ratios(a, b, n)
                if rr:
                    w(f"| {names.get(a, a)} / {names.get(b, b)} | {n} | {', '.join(f'{x:.2f}' for x in rr)} | "
                      f"{statistics.median(rr):.2f}× |")
        w("")

    # Targets of issue 8, evaluated from this run.
    w("## Targets (this run)")
    w("")
    w("| target | measured | met |")
    w("| --- | --- | :---: |")

    def target(name, measured, ok):
        w(f"| {name} | {measured} | {'yes' if ok else 'no' if ok is not None else '–'} |")

    m64, h64, p64 = (by.get((c, 64), {}).get("rps") for c in ("meridian", "haproxy", "portkey"))
    alt_mh = round_ratios("meridian", "haproxy", 64) if alt else []
    if alt_mh:
        med = statistics.median(alt_mh)
        target(f"req/s at 64 conns ≥ 0.8 × HAProxy (median of {len(alt_mh)} alternating rounds)", f"{med:.2f}×", med >= 0.8)
    elif m64 and h64:
        target("req/s at 64 conns ≥ 0.8 × HAProxy", ratio(m64, h64), m64 >= 0.8 * h64)
    if m64 and p64:
        target("req/s at 64 conns ≥ 50 × Portkey", ratio(m64, p64), m64 >= 50 * p64)
    m1, d1 = by.get(("meridian", 1)), direct.get(1)
    alt_add = round_ratios("meridian", "direct", 1, "p50_us", diff=True) if alt else []
    if alt_add:
        add = statistics.median(alt_add)
        target(f"added P50 at 1 conn ≤ 30 µs (median of {len(alt_add)} alternating rounds)", f"{add:.0f} µs", add <= 30)
    elif m1 and d1:
        add = m1["p50_us"] - d1["p50_us"]
        target("added P50 at 1 conn ≤ 30 µs", f"{add:.0f} µs", add <= 30)
    ms = next((s for s in stream if s["contestant"] == "meridian"), None)
    ds = next((s for s in stream if s["contestant"] == "direct"), None)
    if ms and ds:
        add = ms["event_p50_us"] - ds["event_p50_us"]
        target("SSE first event within 0.2 ms of direct", f"+{add:.0f} µs", add <= 200)
        target("one read per chunk", f"{ms['reads_median']:.0f} reads for {ms['events_median']:.0f} events",
               ms["reads_median"] >= ms["events_median"] - 1)
    mi = next((s for s in idle if s["contestant"] == "meridian"), None)
    if mi:
        target(f"{mi['conns']:,} idle keep-alive connections < 300 MB RSS", f"{mi['rss_idle_kb'] / 1024:.1f} MiB, {mi['still_open']} open",
               mi["rss_idle_kb"] * 1024 < 300e6 and mi["still_open"] == mi["conns"])
    for r in failover:
        target(f"no client-visible errors through a region kill at {r['rate']} req/s",
               f"{r['non2xx']} non-2xx, {r['socket_errors']} socket errors", r["non2xx"] == 0 and r["socket_errors"] == 0)
    w("| routing decision < 2 µs for 10 regions | bench/bench_routing (not run here) | – |")
    w("")
    if notes:
        w("## Notes")
        w("")
        for n in notes:
            w(f"- {n}")
        w("")
    text = "\n".join(out)
    with open(md_path, "w") as f:
        f.write(text)
    with open(json_path, "w") as f:
        json.dump({"meta": meta, "results": rows}, f, indent=1)
    print(text)


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd = argv[1]
    if cmd == "freeport":
        freeport()
    elif cmd == "tree":
        tree(argv[2:])
    elif cmd == "cpu":
        cpu(argv[2] if len(argv) > 2 else "")
    elif cmd == "mem":
        mem(argv[2], argv[3] if len(argv) > 3 else "")
    elif cmd == "routed":
        routed(argv[2])
    elif cmd == "netstat":
        netstat(argv[2])
    elif cmd == "waitport":
        return waitport(argv[2], argv[3])
    elif cmd == "report":
        report(argv[2], argv[3], argv[4])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
