// newsmon ops dashboard: polls /api/v1/dashboard and /readyz, draws with plain SVG.
// Every value from the server is put in the page with textContent or as an SVG
// attribute; nothing is parsed as HTML (article titles and evidence are untrusted).
"use strict";

(function () {
  const SVG = "http://www.w3.org/2000/svg";
  const COLORS = ["#2f6fdf", "#1f9d55", "#d9822b", "#8e44ad", "#c9372c", "#16a2b8", "#7f8c8d", "#b58900"];
  const THROUGHPUT = [
    ["in", "articles in"], ["classified", "classified"], ["dead", "dead letters"],
    ["matches", "rule matches"], ["alerts", "alerts"], ["sent", "delivered"],
    ["delivery_failed", "delivery failures"],
  ];
  let refreshMs = 2000;
  let timer = null;

  function $(id) { return document.getElementById(id); }

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function fmtNum(n) {
    if (n === null || n === undefined) return "–";
    return Number(n).toLocaleString("en-US");
  }

  function fmtTime(ts) {
    if (!ts) return "–";
    const d = new Date(ts * 1000);
    return d.toISOString().replace("T", " ").slice(0, 19) + "Z";
  }

  function fmtAgo(ts, now) {
    if (!ts) return "never";
    const s = Math.max(0, Math.round(now - ts));
    if (s < 60) return s + " s ago";
    if (s < 3600) return Math.round(s / 60) + " min ago";
    if (s < 86400) return Math.round(s / 3600) + " h ago";
    return Math.round(s / 86400) + " d ago";
  }

  function svgEl(tag, attrs) {
    const e = document.createElementNS(SVG, tag);
    for (const k in attrs) e.setAttribute(k, String(attrs[k]));
    return e;
  }

  // A line chart of several series over shared bucket times, with a legend.
  function lineChart(container, times, lines) {
    container.replaceChildren();
    // Drawn at the container's pixel width so text and strokes are not stretched.
    const W = Math.max(300, container.clientWidth || 600), H = 170, L = 36, R = 8, T = 8, B = 18;
    const svg = svgEl("svg", { viewBox: `0 0 ${W} ${H}`, role: "img" });
    let max = 1;
    for (const l of lines) for (const v of l.values) if (v > max) max = v;
    const n = Math.max(times.length, 2);
    const x = (i) => L + (i * (W - L - R)) / (n - 1);
    const y = (v) => T + (H - T - B) * (1 - v / max);
    svg.appendChild(svgEl("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, class: "axis" }));
    svg.appendChild(svgEl("line", { x1: L, y1: T, x2: L, y2: H - B, class: "axis" }));
    for (const frac of max >= 4 ? [0, 0.5, 1] : [0, 1]) {
      const t = svgEl("text", { x: L - 4, y: y(max * frac) + 3, "text-anchor": "end", class: "tick" });
      t.textContent = fmtNum(Math.round(max * frac));
      svg.appendChild(t);
    }
    if (times.length) {
      for (const i of [0, Math.floor((times.length - 1) / 2), times.length - 1]) {
        const t = svgEl("text", { x: x(i), y: H - 4, "text-anchor": i === 0 ? "start" : (i === times.length - 1 ? "end" : "middle"), class: "tick" });
        t.textContent = new Date(times[i] * 1000).toISOString().slice(11, 16);
        svg.appendChild(t);
      }
    }
    lines.forEach((l, k) => {
      const pts = l.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
      const color = COLORS[k % COLORS.length];
      const p = svgEl("polyline", { points: pts, fill: "none", stroke: color, "stroke-width": 1.8, "stroke-linejoin": "round" });
      const title = svgEl("title", {});
      title.textContent = l.label;
      p.appendChild(title);
      svg.appendChild(p);
    });
    container.appendChild(svg);
    const legend = el("div", null, "legend");
    lines.forEach((l, k) => {
      const s = el("span", `${l.label} (${fmtNum(l.total)})`);
      s.style.setProperty("--c", COLORS[k % COLORS.length]);
      legend.appendChild(s);
    });
    if (!lines.length) legend.appendChild(el("span", "no data in the window", "muted"));
    container.appendChild(legend);
  }

  function fillTable(id, rows, cells, emptyText) {
    const body = $(id).tBodies[0];
    body.replaceChildren();
    if (!rows || !rows.length) {
      const tr = el("tr");
      const td = el("td", emptyText, "empty");
      td.colSpan = $(id).tHead.rows[0].cells.length;
      tr.appendChild(td);
      body.appendChild(tr);
      return;
    }
    for (const r of rows) {
      const tr = el("tr");
      for (const [value, cls] of cells(r)) tr.appendChild(el("td", value, cls || ""));
      body.appendChild(tr);
    }
  }

  function renderAlerts(alerts, now) {
    const list = $("alerts");
    list.replaceChildren();
    if (!alerts.length) {
      list.appendChild(el("li", "no alerts yet", "muted"));
      return;
    }
    for (const a of alerts) {
      const li = el("li", null, "alert");
      li.dataset.alertId = a.alert_id;
      const head = el("div", null, "head");
      head.appendChild(el("span", a.severity || "info", "sev " + (a.severity || "info")));
      let title;
      if (a.url && /^https?:\/\//i.test(a.url)) {
        title = el("a", a.title || "(untitled)", "title");
        title.href = a.url;
        title.rel = "noopener noreferrer nofollow";
        title.target = "_blank";
      } else {
        title = el("span", a.title || "(untitled)", "title");
      }
      title.dir = "auto";
      head.appendChild(title);
      if (a.ack) {
        head.appendChild(el("span", `acknowledged by ${a.ack.by || "?"} ${fmtAgo(a.ack.at, now)}`, "ack yes"));
      } else {
        head.appendChild(el("span", "not acknowledged", "ack no"));
      }
      li.appendChild(head);
      const bits = [
        `rule ${a.rule || "?"}`, a.kind && a.kind !== "alert" ? a.kind : null,
        a.source ? `source ${a.source}` : null, `status ${a.status || "?"}`,
        a.countries && a.countries.length ? `countries ${a.countries.join(", ")}` : null,
        a.regions && a.regions.length ? `regions ${a.regions.slice(0, 5).join(", ")}` : null,
        a.topics && a.topics.length ? `topics ${a.topics.slice(0, 3).map((t) => t.label || t.code).join(", ")}` : null,
        a.members ? `${a.members} articles` : null,
        fmtTime(a.created_at || a.at), a.alert_id,
      ].filter(Boolean);
      li.appendChild(el("div", bits.join(" · "), "meta"));
      if (a.evidence && a.evidence.length) {
        const ev = el("div", null, "evidence");
        for (const e of a.evidence.slice(0, 12)) {
          const chip = el("span", null, "ev");
          chip.appendChild(el("b", `${e.kind}:${e.tag} `));
          // Arabic or Persian evidence runs right to left inside its own isolate.
          const quote = el("bdi", e.text);
          quote.dir = "auto";
          chip.appendChild(quote);
          chip.appendChild(document.createTextNode(` (${e.field})`));
          ev.appendChild(chip);
        }
        li.appendChild(ev);
      }
      list.appendChild(li);
    }
  }

  function render(d) {
    for (const [k] of THROUGHPUT) {
      const node = $("count-" + k);
      if (node) node.textContent = fmtNum(d.totals[k]);
    }
    const lagTotal = d.lag.reduce((s, p) => s + p.lag, 0);
    $("count-lag").textContent = d.lag.length ? fmtNum(lagTotal) : "–";
    $("bucket-note").textContent = `(per ${d.bucket_s} s, last ${Math.round(d.window_s / 60)} min)`;
    const alive = d.workers.filter((w) => w.alive).length;
    $("workers").textContent = `${alive} worker${alive === 1 ? "" : "s"} alive`;

    lineChart($("chart-throughput"), d.times, THROUGHPUT.map(([k, label]) => ({
      label, values: d.throughput[k], total: d.totals[k],
    })));
    lineChart($("chart-regions"), d.times, d.regions);
    lineChart($("chart-topics"), d.times, d.topics);

    fillTable("lag", d.lag, (p) => [
      [p.topic], [p.partition, "n"], [fmtNum(p.lag), "n" + (p.lag > 1000 ? " bad" : "")],
      [p.committed === null ? "–" : fmtNum(p.committed), "n"], [fmtNum(p.highwater), "n"], [p.worker],
    ], "no partitions reported");
    fillTable("delivery", d.delivery, (c) => [
      [c.channel], [fmtNum(c.sent), "n"], [fmtNum(c.retried), "n"],
      [fmtNum(c.dead), "n" + (c.dead ? " bad" : "")], [fmtNum(c.pending), "n"],
    ], "no channels");
    fillTable("rules", d.rules, (r) => [[r.rule], [fmtNum(r.matches), "n"], [fmtNum(r.alerts), "n"]], "no rules");
    fillTable("feeds", d.feeds || [], (f) => [
      [f.name || f.url || "?"], [f.state || "?", f.state === "ok" ? "good" : "bad"],
      [fmtAgo(f.last_new_at, d.now)], [fmtAgo(f.last_poll_at, d.now)], [f.error || ""],
    ], d.feeds === null ? "no feeds file configured (NEWSMON_FEEDS_PATH)" : "no feeds configured");
    renderAlerts(d.alerts, d.now);
    $("updated").textContent = "updated " + fmtTime(d.now);
    $("updated").dataset.ts = String(d.now);
  }

  // A server bound beyond loopback needs a bearer token for the data (the read
  // token); it is asked for once and kept for this tab only (sessionStorage).
  const TOKEN_KEY = "newsmon.readToken";
  let askedForToken = false;  // ask once per page load, not at every refresh

  function authHeaders() {
    const t = sessionStorage.getItem(TOKEN_KEY);
    return t ? { Authorization: `Bearer ${t}` } : {};
  }

  function renderOutages(r) {
    const down = ((r.checks || {}).dependencies || {}).unreachable || {};
    const lines = Object.keys(down).sort().map((n) =>
      `${n} unreachable for ${Math.round(down[n].down_s)} s, ${down[n].retries} retries: ${down[n].last_error}`);
    $("outages").textContent = lines.join(" · ");
    $("outages").hidden = lines.length === 0;
  }

  async function refresh() {
    const win = $("window").value;
    try {
      let [dash, ready] = await Promise.all([
        fetch(`/api/v1/dashboard?window=${encodeURIComponent(win)}`, { cache: "no-store", headers: authHeaders() }),
        fetch("/readyz", { cache: "no-store" }),
      ]);
      // Read first: while Redis is away the dashboard data cannot load, and the outage is the news.
      const r = await ready.json().catch(() => ({}));
      renderOutages(r);
      if (dash.status === 401 && !askedForToken) {
        askedForToken = true;
        const t = window.prompt("newsmon read token (NEWSMON_API_READ_TOKEN):");
        if (t) {
          askedForToken = false;  // a wrong token is asked for again
          sessionStorage.setItem(TOKEN_KEY, t.trim());
          dash = await fetch(`/api/v1/dashboard?window=${encodeURIComponent(win)}`,
            { cache: "no-store", headers: authHeaders() });
        }
      }
      if (!dash.ok) {
        if (dash.status === 401) {
          sessionStorage.removeItem(TOKEN_KEY);
          throw new Error("HTTP 401: this server needs the read token; reload the page to enter it");
        }
        throw new Error(`dashboard: HTTP ${dash.status}`);
      }
      const d = await dash.json();
      render(d);
      const pill = $("ready");
      pill.textContent = ready.ok ? "ready" : "not ready";
      pill.className = "pill " + (ready.ok ? "ready" : "notready");
      pill.title = (r.reasons || []).join("; ");
      $("error").hidden = true;
      refreshMs = Math.max(1000, (d.refresh_s || 2) * 1000);
    } catch (err) {
      $("error").textContent = `cannot load: ${err.message || err}`;
      $("error").hidden = false;
    }
    const q = new URLSearchParams(location.search).get("refresh");
    const ms = q ? Math.max(250, Number(q) * 1000) : refreshMs;
    timer = setTimeout(refresh, ms);
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("window").addEventListener("change", () => { clearTimeout(timer); refresh(); });
    refresh();
  });
})();
