//! The site's own style sheet and scripts, and the two scripts each build
//! writes: the search index and the line saying when the site was made.
//! The scripts add to pages that work without them.

use std::fmt::Write as _;

use chrono_tz::Tz;

use crate::site::{Generated, Item};

/// The style sheet: readable type, contrast above WCAG AA, a visible focus.
pub const CSS: &str = r#":root{--ink:#1b1b1b;--muted:#4a4a4a;--line:#c8c8c8;--accent:#0b4f8a;--bad:#a4000f;--warn:#7a4a00;--ok:#1d5c2e;--bg:#ffffff;--band:#eef3f8}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
a{color:var(--accent)}
a:focus,button:focus,input:focus,select:focus{outline:3px solid #f2a900;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px 8px;z-index:2}
header{background:var(--band);border-bottom:1px solid var(--line);padding:8px 24px}
.readonly{margin:0 0 6px 0;color:var(--muted)}
nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:4px 18px}
main{max-width:1200px;margin:0 auto;padding:12px 24px 48px}
h1{font-size:1.6rem;margin:.6rem 0}h2{font-size:1.25rem;margin-top:1.6rem;border-bottom:1px solid var(--line)}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{text-align:left;vertical-align:top;padding:4px 8px;border-bottom:1px solid var(--line)}
th{background:var(--band)}
dl.fields{display:grid;grid-template-columns:minmax(10rem,max-content) 1fr;gap:2px 16px}
dl.fields dt{font-weight:600}dl.fields dd{margin:0}
.prose{white-space:pre-wrap}
.status{display:inline-block;padding:0 6px;border:1px solid var(--line);border-radius:4px;background:#fff}
.bad{color:var(--bad);font-weight:600}.warn{color:var(--warn);font-weight:600}.ok{color:var(--ok);font-weight:600}
.muted{color:var(--muted)}
ol.timeline{list-style:none;padding:0}ol.timeline li{border-left:3px solid var(--line);padding:2px 0 8px 12px;margin:0}
ol.timeline li.reply{border-left-color:var(--accent)}ol.timeline li.internal{border-left-color:#8a8a8a}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(16rem,1fr));gap:12px}
.card{border:1px solid var(--line);border-radius:6px;padding:8px 12px}
.card h3{margin:.2rem 0;font-size:1.05rem}
form.search{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:end;margin:.5rem 0}
form.search label{display:flex;flex-direction:column;font-weight:600}
input,select{font:inherit;padding:4px 6px;border:1px solid #767676;border-radius:4px}
svg text{font:12px system-ui,sans-serif;fill:var(--ink)}
svg .node rect{fill:#fff;stroke:var(--accent)}svg .edge{stroke:#767676;fill:none}
"#;

/// The search: filters the index (`assets/index.js`) as one types, by ID
/// or by words of the title, and by kind, status and priority. Without it
/// the list pages still hold every record.
pub const SEARCH_JS: &str = r#""use strict";
(function () {
  var form = document.getElementById("sok");
  var out = document.getElementById("traffar");
  var count = document.getElementById("antal");
  if (!form || !out || !window.ARENDE_INDEX) return;
  form.hidden = false;
  var rows = window.ARENDE_INDEX;
  function words(s) { return s.toLocaleLowerCase("sv").split(/\s+/).filter(Boolean); }
  function cell(tr, text, href) {
    var td = document.createElement("td");
    if (href) { var a = document.createElement("a"); a.href = href; a.textContent = text; td.appendChild(a); }
    else { td.textContent = text; }
    tr.appendChild(td);
  }
  function show() {
    var q = words(form.q.value), kind = form.kind.value, status = form.status.value, prio = form.priority.value;
    var hits = rows.filter(function (r) {
      if (kind && r.k !== kind) return false;
      if (status && r.s !== status) return false;
      if (prio && String(r.p) !== prio) return false;
      var hay = (r.i + " " + r.t + " " + (r.v || "")).toLocaleLowerCase("sv");
      return q.every(function (w) { return hay.indexOf(w) >= 0; });
    });
    out.textContent = "";
    hits.slice(0, 500).forEach(function (r) {
      var tr = document.createElement("tr");
      cell(tr, r.i, "records/" + r.i + ".html"); cell(tr, r.t); cell(tr, r.kl); cell(tr, r.sl); cell(tr, r.p == null ? "" : String(r.p)); cell(tr, r.o);
      out.appendChild(tr);
    });
    count.textContent = hits.length === 1 ? "1 träff" : hits.length + " träffar" + (hits.length > 500 ? " (de 500 första visas)" : "");
  }
  var params = new URLSearchParams(location.hash.slice(1));
  ["q", "kind", "status", "priority"].forEach(function (n) { if (params.get(n)) form[n].value = params.get(n); });
  form.addEventListener("input", show);
  form.addEventListener("submit", function (e) { e.preventDefault(); show(); });
  show();
})();
"#;

/// `assets/generated.js`: when and from which commit the site was made,
/// written into each page's banner.
pub fn generated_js(g: &Generated, tz: Tz) -> String {
    let commit = g.head.as_deref().map_or("ingen commit".to_owned(), |h| {
        format!("commit {}", &h[..h.len().min(12)])
    });
    let dirty = if g.dirty {
        " med ändringar som inte var incheckade"
    } else {
        ""
    };
    let line = format!("Genererad {} från {commit}{dirty}.", super::when(&g.at, tz));
    format!(
        "\"use strict\";\ndocument.addEventListener(\"DOMContentLoaded\", function () {{\n  var s = document.getElementById(\"genererad\");\n  if (s) {{ var a = s.querySelector(\"a\"); if (a) a.textContent = {}; }}\n}});\n",
        js_string(&line)
    )
}

/// `assets/index.js`: one object per record, for the search.
pub fn index_js(items: &[Item], frame: &super::Frame<'_>) -> String {
    let mut out = String::with_capacity(items.len() * 120 + 32);
    out.push_str("window.ARENDE_INDEX=[\n");
    let mut labels = std::collections::HashMap::new();
    for it in items {
        let sl = labels
            .entry((it.kind, it.status))
            .or_insert_with(|| super::label(frame, it.kind, "status", it.status));
        let _ = writeln!(
            out,
            "{{\"i\":{},\"t\":{},\"k\":{},\"kl\":{},\"s\":{},\"sl\":{},\"p\":{},\"o\":{},\"v\":{}}},",
            js_string(it.id.as_str()),
            js_string(&super::t(&it.title)),
            js_string(it.kind.name()),
            js_string(super::kind_label(it.kind, false)),
            js_string(it.status),
            js_string(sl),
            it.priority.map_or("null".to_owned(), |p| p.to_string()),
            js_string(&it.opened.format("%Y-%m-%d").to_string()),
            js_string(it.service.as_deref().unwrap_or("")),
        );
    }
    out.push_str("];\n");
    out
}

/// A JavaScript string literal safe inside a script file: JSON's escaping,
/// and `<` escaped so no `</script>` can appear.
fn js_string(s: &str) -> String {
    serde_json::to_string(s)
        .unwrap_or_else(|_| "\"\"".into())
        .replace('<', "\\u003c")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}
