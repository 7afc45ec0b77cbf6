//! `docs/policies.md` is generated from the packs and the built-in checks,
//! never edited by hand: this test renders it and compares. To write it:
//!
//! ```sh
//! ARENDE_UPDATE_DOCS=1 cargo test --test testsuite policies_doc::
//! ```

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use arende::policy::{Policy, RaciLetter, Rule, Test};
use arende::render::sarif;
use arende::validate::checks;

const DOC: &str = "docs/policies.md";

/// The folder of the integration tests, one module a file.
const SUITE: &str = "tests/testsuite";

/// The test that proves each built-in check: (check, file, test function).
const CHECK_TESTS: &[(&str, &str, &str)] = &[
    (
        "REC006",
        "tests/testsuite/near_miss.rs",
        "a_key_that_is_a_slip_of_a_field_is_a_warning_naming_the_field",
    ),
    (
        "ASG003",
        "tests/testsuite/desk.rs",
        "validate_finds_an_assignment_the_registry_does_not_know",
    ),
    (
        "REC001",
        "tests/testsuite/invalid_fixture.rs",
        "the_invalid_fixture_breaks_exactly_the_known_rules",
    ),
    (
        "REC001",
        "tests/testsuite/cli.rs",
        "bad_record_files_are_named_and_never_crash",
    ),
    (
        "REC002",
        "tests/testsuite/invalid_fixture.rs",
        "the_invalid_fixture_breaks_exactly_the_known_rules",
    ),
    (
        "REC002",
        "tests/testsuite/cli.rs",
        "bad_record_files_are_named_and_never_crash",
    ),
    (
        "REC003",
        "tests/testsuite/invalid_fixture.rs",
        "the_invalid_fixture_breaks_exactly_the_known_rules",
    ),
    (
        "REC003",
        "tests/testsuite/cli.rs",
        "bad_record_files_are_named_and_never_crash",
    ),
    (
        "REC004",
        "tests/testsuite/rules.rs",
        "validate_checks_that_history_walks_the_status_machine",
    ),
    (
        "REC005",
        "tests/testsuite/gate.rs",
        "an_unknown_party_is_refused_on_every_party_field",
    ),
    (
        "REPO001",
        "tests/testsuite/invalid_fixture.rs",
        "the_invalid_fixture_breaks_exactly_the_known_rules",
    ),
    (
        "REPO002",
        "tests/testsuite/invalid_fixture.rs",
        "the_invalid_fixture_breaks_exactly_the_known_rules",
    ),
    (
        "REPO003",
        "tests/testsuite/invalid_fixture.rs",
        "the_invalid_fixture_breaks_exactly_the_known_rules",
    ),
    (
        "REPO004",
        "tests/testsuite/invalid_fixture.rs",
        "the_invalid_fixture_breaks_exactly_the_known_rules",
    ),
    (
        "REPO005",
        "tests/testsuite/invalid_fixture.rs",
        "the_invalid_fixture_breaks_exactly_the_known_rules",
    ),
    (
        "REPO006",
        "tests/testsuite/rules.rs",
        "ehm_allows_two_deployed_releases_at_once",
    ),
    (
        "WAI001",
        "tests/testsuite/waivers.rs",
        "a_malformed_waivers_file_names_its_entry_and_line",
    ),
    (
        "WAI002",
        "tests/testsuite/waivers.rs",
        "a_waiver_that_accepts_no_error_is_reported",
    ),
    (
        "SEC001",
        "tests/testsuite/invalid_fixture.rs",
        "the_invalid_fixture_breaks_exactly_the_known_rules",
    ),
    (
        "PEO001",
        "tests/testsuite/approvals.rs",
        "the_registry_is_listed_and_its_faults_are_found",
    ),
    (
        "APR001",
        "tests/testsuite/approvals.rs",
        "validate_judges_the_people_an_approval_names",
    ),
    (
        "APR002",
        "tests/testsuite/verify_approvals.rs",
        "each_forged_approval_is_caught_and_the_true_ones_pass",
    ),
];

const LEVELS: [&str; 3] = ["high", "medium", "low"];

/// Clauses implemented in code rather than as a pack's rule, step or clock:
/// (seed, section, where).
const COMPUTED: &[(&str, &str, &str)] = &[
    (
        "003",
        "§3.2.4 (kompletta vid registrering)",
        "`arende sla` and `report`: a ticket incomplete at registration has no response-time clock and is counted apart (src/sla.rs `covered`)",
    ),
    (
        "003",
        "Supportprocessen §4 Kris (bedöms vara längre än två (2) timmar)",
        "`arende sla` and `report` flag a crisis assessment when the outage lasted, or is estimated to last, longer than `crisis_after_minutes` (src/sla.rs `crisis_outage`)",
    ),
    (
        "003",
        "Supportprocessen §3 Major incident (prioritet 1 eller 2)",
        "`arende sla` and `report` flag major incidents (`major_incident_priorities`)",
    ),
    (
        "003",
        "§3.1 Tillgänglighet (99,9 % / 98 %)",
        "`arende report`: availability per service and class",
    ),
    (
        "003",
        "§2 Uppföljning (Varje kvartal sammanställs en rapport)",
        "`arende report --quarter`",
    ),
    (
        "003",
        "Releasehantering (två aktuella versioner)",
        "built-in check REPO006, in `validate` and at `arende status … deployed`",
    ),
    (
        "000",
        "§3.7 (Mätdata samlas kontinuerligt in)",
        "`arende classify` reads a capacity review's measurements inline or from a CSV file",
    ),
];

/// Clauses a records tool cannot check on a record: (seed, section, words, why).
const NOT_CHECKABLE: &[(&str, &str, &str, &str)] = &[
    (
        "000",
        "§2 Samverkansformer",
        "Samverkansformen mellan Inera och Kunderna till Tjänsten är förvaltningsgrupp.",
        "an organisation, not a property of any record",
    ),
    (
        "000",
        "§3.2 Generella principer",
        "hantering av frågor om prioriteringar och ansvarstagande … sker med vertikal och/eller horisontell eskalering",
        "the escalation path between service areas is not recorded on a ticket",
    ),
    (
        "000",
        "§3.3 Generella principer",
        "arbetet inom Problemhantering sker i andra och tredje linjens support",
        "which support line works a problem is not part of the record model",
    ),
    (
        "000",
        "§3.3 Avgränsning",
        "kommunikationen med Användarna hanteras via Incidenthantering",
        "communication with users happens outside the records",
    ),
    (
        "000",
        "§3.4 Generella principer",
        "ett Ändringsforum skall finnas med representanter för berörda tredjepartsleverantörer. Inera är sammankallande",
        "the forum's membership and convening are not records",
    ),
    (
        "000",
        "§3.4",
        "När Inera har utfört ändringen återrapporterar Inera resultatet av ändringen till Kunden.",
        "the report to the customer is sent outside the tool; CHG005 asks for the implementation report it rests on",
    ),
    (
        "000",
        "§3.5 Generella principer",
        "såväl maskinvaror som programvaror skall ingå",
        "completeness of the configuration database against reality cannot be seen from the records",
    ),
    (
        "000",
        "§3.6 Generella principer",
        "tester fram till leveranstest utförs av tredjepartsleverantören av tjänstemiljön på certifierade plattformar",
        "where the supplier's earlier tests ran is not recorded; REL002 checks the acceptance test",
    ),
    (
        "000",
        "§3.6",
        "En viktig aktivitet är att tillgodose olika intressenters informationsbehov",
        "information to stakeholders is sent outside the tool",
    ),
    (
        "001",
        "Övervakning",
        "Inera övervakar svarstider och tillgänglighet",
        "monitoring is Inera's own activity; its alarms enter as incidents with reported_via: monitoring",
    ),
    (
        "001",
        "Ändringar",
        "Agent och Slutkund ska anmäla ändringar i de it-system och/eller tjänster …",
        "a duty to report changes that were never reported cannot be seen in the records",
    ),
    (
        "002",
        "§3.2 uppgift 18",
        "Rapportera enligt överenskommelse. Staden: G",
        "what is reported and when is set by an agreement outside the annex",
    ),
    (
        "002",
        "A and M cells of §2.2–§6.2",
        "Ansvarar / Medverkar",
        "who does or takes part in a task is not recorded; only the G cells (approvals) are checked",
    ),
    (
        "003",
        "§3.1",
        "Användarorganisationen äger dock inte rätt att göra gällande några påföljder",
        "a legal limitation, not a property of a record",
    ),
    (
        "003",
        "§3.2.2 Beredskap",
        "För att nå beredskapen används Servicedesk telefonnummer och ”akut ärende” väljs.",
        "how the on-call service is reached is outside the records",
    ),
    (
        "003",
        "§3.2.3",
        "Vid indikationer … publicerar E-hälsomyndigheten ett meddelande … under driftinformation",
        "publication on the web site is outside the records",
    ),
    (
        "003",
        "Supportprocessen §1",
        "Denna ärendeidentitet ska alltid anges vid fortsatt kontakt med myndigheten",
        "the customer's later contacts are not records",
    ),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn packs() -> Vec<Policy> {
    Policy::names()
        .map(|name| Policy::load(name, None).unwrap_or_else(|e| panic!("pack {name}: {e}")))
        .collect()
}

/// Text fit for a table cell: one line, no bare `|` or `*`.
fn cell(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
        .replace('*', "\\*")
}

/// The seed file a rule's clause names, from the pack's `sources`.
fn seed_file_of(policy: &Policy, seed: &str) -> String {
    policy
        .sources
        .iter()
        .find(|s| s.file.starts_with(seed))
        .map_or_else(|| seed.to_owned(), |s| s.file.clone())
}

/// The seed file of a rule's clause; `None` for a rule that is the pack's
/// own choice.
fn seed_file(policy: &Policy, rule: &Rule) -> Option<String> {
    let clause = rule.clause.as_ref()?;
    Some(
        policy
            .sources
            .iter()
            .find(|s| s.file.starts_with(&format!("{}_", clause.seed)))
            .map(|s| s.file.clone())
            .unwrap_or_else(|| {
                panic!(
                    "{} {}: seed {} is not among the pack's sources",
                    policy.name, rule.id, clause.seed
                )
            }),
    )
}

fn render() -> String {
    let packs = packs();
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "# Policy rules\n");
    let _ = writeln!(
        w,
        "<!-- Generated by tests/testsuite/policies_doc.rs from src/policy/packs/ and \
         src/validate/checks.rs. Do not edit by hand: run \
         `ARENDE_UPDATE_DOCS=1 cargo test --test testsuite policies_doc::`. -->\n"
    );
    let _ = writeln!(
        w,
        "Every rule `arende` enforces is data. A policy pack \
         (`src/policy/packs/<pack>.yaml`, laid over `base.yaml`, which holds the \
         status machines) lists its rules, each with a `when` (the predicates that \
         make it apply) and a `require` (what must then hold), and the seed clause \
         it rests on. `arende validate` reports every broken rule with its file, \
         line and column; `arende new`, `set`, `status`, `approve` and `link` refuse \
         to make a record break an error rule. `arende policy explain RULE` prints \
         one rule.\n"
    );
    let _ = writeln!(
        w,
        "Severity follows the seeds' words: **error** where the seed says *ska* or \
         *skall* (validation fails, commands refuse); **warning** where it says \
         *i regel* or *bör* (reported; fails only with `arende validate --strict`).\n"
    );
    let _ = writeln!(
        w,
        "Each rule is proven by a case file, `tests/rules/<pack>/<ID>.yaml`: a record \
         that meets every rule of the pack, and the smallest edit that breaks the \
         rule. `tests/testsuite/rules.rs` runs every case against the real binary in a fresh \
         `arende init --policy <pack>` repository, and fails if a rule has no case.\n"
    );
    let mut implemented: std::collections::BTreeSet<(String, String)> = Default::default();
    for p in &packs {
        for c in p.rules.iter().filter_map(|r| r.clause.as_ref()) {
            implemented.insert((c.seed.clone(), c.words.clone()));
        }
        for st in &p.approval_steps {
            implemented.insert((st.clause.seed.clone(), st.clause.words.clone()));
        }
        for c in p.service_levels.iter().flat_map(|l| &l.clocks) {
            implemented.insert((c.clause.seed.clone(), c.clause.words.clone()));
        }
    }
    let found = implemented.len() + COMPUTED.len() + NOT_CHECKABLE.len();
    let _ = writeln!(
        w,
        "Seed clauses: {found} found in the five seeds; {} implemented \
         as pack data (distinct clauses of rules, approval steps and clocks), {} \
         computed by `arende` itself ([list](#computed-clauses)), {} not checkable on a \
         record ([list and why](#clauses-not-checkable)).\n",
        implemented.len(),
        COMPUTED.len(),
        NOT_CHECKABLE.len()
    );
    let own: Vec<(&Policy, &Rule)> = packs
        .iter()
        .flat_map(|p| p.rules.iter().map(move |r| (p, r)))
        .filter(|(_, r)| r.own_choice.is_some())
        .collect();
    let _ = writeln!(
        w,
        "Rules that are a pack's own choice, resting on no seed clause: {} \
         ([list and why](#own-choices)).\n",
        own.len()
    );
    let _ = writeln!(w, "Packs:\n");
    for p in &packs {
        let _ = writeln!(
            w,
            "- [{}](#{}): {} ({} rules)",
            p.name,
            p.name,
            p.title,
            p.rules.len()
        );
    }
    let _ = writeln!(
        w,
        "- [Approval steps](#approval-steps) and the responsibility tables they come from"
    );
    let _ = writeln!(
        w,
        "- [Values the packs chose](#values-the-packs-chose) where the seeds are silent"
    );
    let _ = writeln!(
        w,
        "- [Built-in checks](#built-in-checks) of every repository"
    );
    let _ = writeln!(w, "- [Priority matrices](#priority-matrices)\n");

    for p in &packs {
        let _ = writeln!(w, "## {}\n", p.name);
        let _ = writeln!(w, "{}.\n", p.title.trim_end_matches('.'));
        let _ = writeln!(w, "Seeds:\n");
        for s in &p.sources {
            let _ = writeln!(w, "- `{}`: {}", s.file, cell(&s.title));
        }
        let _ = writeln!(w);
        let _ = writeln!(
            w,
            "| ID | Severity | Rule | Seed | Section | Words it rests on | Test | Chosen |"
        );
        let _ = writeln!(w, "|---|---|---|---|---|---|---|---|");
        for r in &p.rules {
            let chosen = if r.own_choice.is_some() {
                "own choice, [see below](#own-choices)"
            } else if r.chosen.is_some() {
                "yes, [see below](#values-the-packs-chose)"
            } else {
                "–"
            };
            let (seed, section, words) = match (&r.clause, seed_file(p, r)) {
                (Some(c), Some(file)) => (
                    format!("`{file}`"),
                    cell(&c.section),
                    format!("*{}*", cell(&c.words)),
                ),
                _ => ("–".into(), "–".into(), "none: the pack's own choice".into()),
            };
            let _ = writeln!(
                w,
                "| <a id=\"{anchor}\"></a>{id} | {sev} | {title} | {seed} | {section} | {words} | [{pack}/{id}.yaml](../tests/rules/{pack}/{id}.yaml) | {chosen} |",
                anchor = sarif::doc_anchor(Some(&p.name), &r.id),
                id = r.id,
                sev = r.severity.as_str(),
                title = cell(&r.title),
                pack = p.name,
            );
        }
        let _ = writeln!(w);
    }

    let _ = writeln!(w, "## Approval steps\n");
    let _ = writeln!(
        w,
        "What each pack lets which party approve (`approval_steps` in the pack). \
         `arende approve ID --by PARTY [--step STEP]` records a decision for one \
         step; the step is inferred when exactly one of the party's steps is \
         pending. The latest decision of each party is the one in force, so a \
         rejection revokes. An approval records a digest of every field it covers; \
         when one of them changes afterwards the approval is stale and counts for \
         nothing until it is given again. A rule asks for a step with \
         `approved: STEP`.\n"
    );
    for p in &packs {
        let _ = writeln!(w, "### {} approval steps\n", p.name);
        let _ = writeln!(
            w,
            "| Kind | Step | Approval | Given by | Gates | Covers | Seed | Section | Words it rests on | Rules |"
        );
        let _ = writeln!(w, "|---|---|---|---|---|---|---|---|---|---|");
        for st in &p.approval_steps {
            let rules: Vec<&str> = p
                .rules
                .iter()
                .filter(|r| {
                    r.kind == st.kind
                        && r.require.iter().any(|q| match &q.test {
                            Test::Approved(steps) => steps.contains(&st.id),
                            Test::ApprovedBefore(a) => a.steps.contains(&st.id),
                            _ => false,
                        })
                })
                .map(|r| r.id.as_str())
                .collect();
            let given = if st.all_parties {
                format!("{} (all of them)", st.parties.join(" and "))
            } else {
                st.parties.join(" or ")
            };
            let cell_ref = st
                .raci
                .as_ref()
                .map(|c| format!(" (table {}, task {})", c.process, c.nr))
                .unwrap_or_default();
            let _ = writeln!(
                w,
                "| {kind} | `{id}` | {title} | {given} | `{gates}` | {covers} | `{seed}` | {section}{cell_ref} | {words} | {rules} |",
                kind = st.kind,
                id = st.id,
                title = cell(&st.title),
                gates = st.gates,
                covers = if st.covers.is_empty() {
                    "–".to_owned()
                } else {
                    st.covers
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                },
                seed = seed_file_of(p, &st.clause.seed),
                section = cell(&st.clause.section),
                words = match &st.chosen {
                    Some(c) => format!("*{}* (chosen: {})", cell(&st.clause.words), cell(c)),
                    None => format!("*{}*", cell(&st.clause.words)),
                },
                rules = if rules.is_empty() {
                    "none: recorded, required by no rule".to_owned()
                } else {
                    rules.join(", ")
                },
            );
        }
        let _ = writeln!(w);
        segregation_table(w, p);
        for table in &p.raci {
            let parties: Vec<&str> = p
                .parties
                .iter()
                .map(|x| x.id.as_str())
                .filter(|id| table.rows.iter().any(|r| r.letters.contains_key(*id)))
                .collect();
            let _ = writeln!(
                w,
                "#### {} responsibilities, {} ({})\n",
                p.name,
                table.process,
                cell(&table.clause)
            );
            let labels: Vec<String> = parties
                .iter()
                .map(|id| p.party(id).map_or((*id).to_owned(), |x| cell(&x.label)))
                .collect();
            let _ = writeln!(w, "| Nr | Task | {} | Approval step |", labels.join(" | "));
            let _ = writeln!(w, "|---|---|{}---|", "---|".repeat(parties.len()));
            for row in &table.rows {
                let letters: Vec<&str> = parties
                    .iter()
                    .map(|id| row.letters.get(*id).map_or("", |l| l.as_str()))
                    .collect();
                let has_g = row.letters.values().any(|l| *l == RaciLetter::G);
                let step = p
                    .approval_steps
                    .iter()
                    .find(|st| {
                        st.raci
                            .as_ref()
                            .is_some_and(|c| c.process == table.process && c.nr == row.nr)
                    })
                    .map(|st| format!("`{}` ({})", st.id, st.kind));
                let step = match (has_g, step, &row.note) {
                    (_, Some(s), None) => s,
                    (_, Some(s), Some(n)) => format!("{s}; {}", cell(n)),
                    (true, None, Some(n)) => cell(n),
                    (true, None, None) => "no approval step yet".to_owned(),
                    (false, None, n) => n.as_deref().map(cell).unwrap_or_default(),
                };
                let _ = writeln!(
                    w,
                    "| {} | {} | {} | {} |",
                    row.nr,
                    cell(&row.task),
                    letters.join(" | "),
                    step
                );
            }
            let _ = writeln!(w);
        }
    }

    let _ = writeln!(w, "## Computed clauses\n");
    let _ = writeln!(w, "| Seed | Section | Where |");
    let _ = writeln!(w, "|---|---|---|");
    for (seed, section, place) in COMPUTED {
        let _ = writeln!(w, "| `{seed}` | {} | {} |", cell(section), cell(place));
    }
    let _ = writeln!(w);
    let _ = writeln!(w, "## Clauses not checkable\n");
    let _ = writeln!(w, "| Seed | Section | Words | Why not |");
    let _ = writeln!(w, "|---|---|---|---|");
    for (seed, section, words, why) in NOT_CHECKABLE {
        let _ = writeln!(
            w,
            "| `{seed}` | {} | *{}* | {} |",
            cell(section),
            cell(words),
            cell(why)
        );
    }
    let _ = writeln!(w);
    let _ = writeln!(w, "## Own choices\n");
    let _ = writeln!(
        w,
        "Rules no clause of the seeds asks for, kept because the pack needs them; \
         each says why (`own_choice` in the pack, in place of `clause`). \
         `arende validate` and `arende policy explain` show them as the pack's own \
         choice.\n"
    );
    let _ = writeln!(w, "| Pack | Rule | Why the pack asks it |");
    let _ = writeln!(w, "|---|---|---|");
    for (p, r) in &own {
        let _ = writeln!(
            w,
            "| {} | {} {} | {} |",
            p.name,
            r.id,
            cell(&r.title),
            cell(r.own_choice.as_deref().unwrap_or_default())
        );
    }
    let _ = writeln!(w);
    let _ = writeln!(w, "## Values the packs chose\n");
    let _ = writeln!(
        w,
        "Where a seed leaves a value open, the pack fills it; these are all such \
         values: each rule's `chosen`, and each priority matrix the seeds do not \
         give cell by cell.\n"
    );
    let _ = writeln!(w, "| Pack | Where | Seed | What the pack chose |");
    let _ = writeln!(w, "|---|---|---|---|");
    for p in &packs {
        if p.matrix.clause.contains("chosen") {
            let _ = writeln!(
                w,
                "| {} | [priority matrix](#{}-matrix) | {} | {} |",
                p.name,
                p.name,
                cell(&p.matrix.clause),
                matrix_summary(p)
            );
        }
        for r in &p.rules {
            if let (Some(chosen), Some(c), Some(file)) = (&r.chosen, &r.clause, seed_file(p, r)) {
                let _ = writeln!(
                    w,
                    "| {} | {} {} | `{}` {} | {} |",
                    p.name,
                    r.id,
                    cell(&r.title),
                    file,
                    cell(&c.section),
                    cell(chosen)
                );
            }
        }
        if let Some(chosen) = p.standard_register.as_ref().and_then(|r| r.chosen.as_ref()) {
            let _ = writeln!(
                w,
                "| {} | who agrees the standard-change register | {} | {} |",
                p.name,
                cell(&p.standard_register.as_ref().unwrap().clause),
                cell(chosen)
            );
        }
    }
    for p in &packs {
        let Some(sl) = &p.service_levels else {
            continue;
        };
        if sl.calendar_clause.contains("not in the seeds") {
            let _ = writeln!(
                w,
                "| {} | [service hours](#service-levels) | – | {} |",
                p.name,
                cell(&sl.calendar_clause)
            );
        }
        for c in sl.clocks.iter().filter(|c| c.chosen.is_some()) {
            let _ = writeln!(
                w,
                "| {} | SLA clock `{}` ({}) | `{}` {} | {} |",
                p.name,
                c.id,
                cell(&c.title),
                seed_file_of(p, &c.clause.seed),
                cell(&c.clause.section),
                cell(c.chosen.as_deref().unwrap_or_default())
            );
        }
    }
    let _ = writeln!(w);

    let _ = writeln!(w, "## Service levels\n");
    let _ = writeln!(
        w,
        "The SLA clocks `arende sla` and `arende report` compute from each ticket's \
         history (`src/sla.rs`; the cases of the issue are tests/testsuite/sla.rs). A clock \
         starts when the ticket is complete, stops at the first status in *stops at*, \
         and pauses while the ticket is in a status in *pauses in*.\n"
    );
    for p in &packs {
        let Some(sl) = &p.service_levels else {
            let _ = writeln!(w, "- **{}**: the seeds set no service levels.\n", p.name);
            continue;
        };
        let hours = &sl.calendar.office_hours;
        let _ = writeln!(
            w,
            "- **{}**: office hours {}–{} on working days ({}); major incidents: priority {}; \
             crisis assessment after {}; availability targets {}.\n",
            p.name,
            hours.open,
            hours.close,
            cell(&sl.calendar_clause),
            if sl.major_incident_priorities.is_empty() {
                "–".to_owned()
            } else {
                sl.major_incident_priorities
                    .iter()
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            sl.crisis_after_minutes
                .map_or("–".to_owned(), |m| format!("{m} min")),
            if sl.availability.is_empty() {
                "–".to_owned()
            } else {
                sl.availability
                    .iter()
                    .map(|(k, v)| format!("{k} {v} %"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        );
        if sl.clocks.is_empty() {
            continue;
        }
        let _ = writeln!(
            w,
            "| Clock | Kinds | Priorities | Target | Counted | Stops at | Pauses in | Seed | Words |"
        );
        let _ = writeln!(w, "|---|---|---|---|---|---|---|---|---|");
        for c in &sl.clocks {
            let _ = writeln!(
                w,
                "| `{}` {} | {} | {} | {} | {} | {} | {} | `{}` {} | {} |",
                c.id,
                cell(&c.title),
                c.kinds
                    .iter()
                    .map(|k| k.name())
                    .collect::<Vec<_>>()
                    .join(", "),
                c.priorities
                    .iter()
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                c.target.describe(),
                match c.hours {
                    arende::policy::ClockHours::Always => "24/7",
                    arende::policy::ClockHours::Office => "office hours",
                },
                arende::render::policy::stops(c),
                c.pauses_in.join(", "),
                seed_file_of(p, &c.clause.seed),
                cell(&c.clause.section),
                cell(&c.clause.words)
            );
        }
        let _ = writeln!(w);
    }

    let _ = writeln!(w, "## Built-in checks\n");
    let _ = writeln!(
        w,
        "Not rules of any agreement but of the repository itself, in every pack \
         (`src/validate/checks.rs`).\n"
    );
    let _ = writeln!(w, "| ID | Severity | Check | Why | Tested by |");
    let _ = writeln!(w, "|---|---|---|---|---|");
    for c in checks::ALL {
        let tests: Vec<String> = CHECK_TESTS
            .iter()
            .filter(|(id, ..)| *id == c.id)
            .map(|(_, file, test)| format!("[{file}](../{file}) `{test}`"))
            .collect();
        let _ = writeln!(
            w,
            "| <a id=\"{}\"></a>{} | {} | {} | {} | {} |",
            sarif::doc_anchor(None, c.id),
            c.id,
            c.severity.as_str(),
            cell(c.title),
            cell(c.why),
            tests.join("<br>")
        );
    }
    let _ = writeln!(w);

    let _ = writeln!(w, "## Priority matrices\n");
    let _ = writeln!(
        w,
        "An incident's priority from its impact (rows) and urgency (columns), as \
         `arende classify` sets it. A `priority_reason` makes a priority a manual \
         override the matrix does not reset.\n"
    );
    for p in &packs {
        let _ = writeln!(w, "### {} matrix\n", p.name);
        let _ = writeln!(w, "{}.\n", cell(&p.matrix.clause));
        let _ = writeln!(w, "| impact \\ urgency | high | medium | low |");
        let _ = writeln!(w, "|---|---|---|---|");
        for impact in LEVELS {
            let row: Vec<String> = LEVELS
                .iter()
                .map(|urgency| {
                    let n = cell_of(p, impact, urgency);
                    match p.priority_level(n) {
                        Some(level) => format!("{n} {}", cell(&level.label)),
                        None => n.to_string(),
                    }
                })
                .collect();
            let _ = writeln!(w, "| **{impact}** | {} |", row.join(" | "));
        }
        if let Some(n) = p.request_priority {
            let label = p.priority_level(n).map(|l| l.label.as_str()).unwrap_or("");
            let _ = writeln!(
                w,
                "\nA service request has priority {n} ({}), never from the matrix.",
                cell(label)
            );
        }
        let _ = writeln!(w);
    }
    out.trim_end().to_owned() + "\n"
}

/// The matrix in one line, for the table of chosen values.
/// The tests that prove segregation of duties, by what they prove.
const SEGREGATION_TESTS: &[(&str, &str)] = &[
    (
        "not_self",
        "tests/testsuite/approvals.rs::the_requester_may_not_approve_their_own_change",
    ),
    (
        "other_than",
        "tests/testsuite/approvals.rs::a_g_approval_is_the_other_partys",
    ),
];

#[test]
fn every_segregation_test_exists() {
    for (_, test) in SEGREGATION_TESTS {
        let (file, name) = test.split_once("::").expect("file::test");
        let text = std::fs::read_to_string(root().join(file)).expect(file);
        assert!(
            text.contains(&format!("fn {name}()")),
            "{test} does not exist"
        );
    }
}

/// A pack's segregation of duties: which steps whose approval does not
/// count, and the clause.
fn segregation_table(w: &mut String, p: &Policy) {
    let steps: Vec<_> = p
        .approval_steps
        .iter()
        .filter_map(|st| st.segregation.as_ref().map(|seg| (st, seg)))
        .collect();
    if steps.is_empty() {
        return;
    }
    let _ = writeln!(
        w,
        "#### {} segregation of duties
",
        p.name
    );
    let _ = writeln!(
        w,
        "Whose approval of a step does not count (`segregation` of the step): \
         with *not the requester*, the person who filed the record or last \
         changed a field the step covers; with *not for*, a person who acts \
         for the party responsible for the task, where the approval is the \
         other party's. `arende approve` refuses them, and `validate` reports \
         an approval in force that breaks them.\n"
    );
    let _ = writeln!(
        w,
        "| Kind | Step | Not the requester | Not for | Seed | Section | Words it rests on | Tests |"
    );
    let _ = writeln!(w, "|---|---|---|---|---|---|---|---|");
    for (st, seg) in steps {
        let tests: Vec<String> = SEGREGATION_TESTS
            .iter()
            .filter(|(what, _)| match *what {
                "not_self" => seg.not_self,
                _ => seg.other_than.is_some(),
            })
            .map(|(_, t)| format!("`{t}`"))
            .collect();
        let _ = writeln!(
            w,
            "| {kind} | `{id}` | {not_self} | {other} | `{seed}` | {section} | {words} | {tests} |",
            kind = st.kind,
            id = st.id,
            not_self = if seg.not_self { "yes" } else { "–" },
            other = seg
                .other_than
                .as_deref()
                .map_or("–".to_owned(), |o| format!("`{o}`")),
            seed = seed_file_of(p, &seg.clause.seed),
            section = cell(&seg.clause.section),
            words = match &seg.chosen {
                Some(c) => format!("*{}* (chosen: {})", cell(&seg.clause.words), cell(c)),
                None => format!("*{}*", cell(&seg.clause.words)),
            },
            tests = tests.join(", "),
        );
    }
    let _ = writeln!(w);
}

fn matrix_summary(p: &Policy) -> String {
    LEVELS
        .iter()
        .map(|impact| {
            let row: Vec<String> = LEVELS
                .iter()
                .map(|u| cell_of(p, impact, u).to_string())
                .collect();
            format!("impact {impact}: {}", row.join("/"))
        })
        .collect::<Vec<_>>()
        .join("; ")
        + " (urgency high/medium/low)"
}

#[test]
fn docs_policies_md_is_generated_from_the_packs() {
    let want = render();
    let path = root().join(DOC);
    if std::env::var_os("ARENDE_UPDATE_DOCS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    if have != want {
        let first = have
            .lines()
            .zip(want.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| have.lines().count().min(want.lines().count()));
        panic!(
            "{DOC} is not what the packs say (first difference at line {}):\n  file: {:?}\n  want: {:?}\n\
             It is generated: run `ARENDE_UPDATE_DOCS=1 cargo test --test testsuite policies_doc::`.",
            first + 1,
            have.lines().nth(first).unwrap_or(""),
            want.lines().nth(first).unwrap_or("")
        );
    }
}

#[test]
fn every_link_of_the_doc_leads_somewhere() {
    let doc = render();
    let docs = root().join("docs");
    let mut missing = Vec::new();
    for part in doc.split("](").skip(1) {
        let target = &part[..part.find(')').unwrap()];
        if target.starts_with('#') {
            continue;
        }
        if !docs.join(target).exists() {
            missing.push(target.to_owned());
        }
    }
    assert!(missing.is_empty(), "links to nothing: {missing:?}");
}

#[test]
fn every_built_in_check_names_a_test_that_exists() {
    for c in checks::ALL {
        assert!(
            CHECK_TESTS.iter().any(|(id, ..)| *id == c.id),
            "built-in check {} names no test in tests/testsuite/policies_doc.rs CHECK_TESTS",
            c.id
        );
    }
    let suite = std::fs::read_to_string(root().join(SUITE).join("main.rs")).unwrap();
    for (id, file, test) in CHECK_TESTS {
        assert!(checks::find(id).is_some(), "{id} is not a built-in check");
        let text =
            std::fs::read_to_string(root().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(
            text.contains(&format!("fn {test}(")),
            "{file} has no test `{test}` (named for {id})"
        );
        // A file of the folder that `main.rs` does not declare is never
        // compiled, and the test it names never runs.
        let module = Path::new(file)
            .strip_prefix(SUITE)
            .ok()
            .and_then(|rest| rest.to_str()?.strip_suffix(".rs"))
            .unwrap_or_else(|| panic!("{file} is not a module file of {SUITE}/"));
        assert!(
            suite.lines().any(|l| l == format!("mod {module};")),
            "{SUITE}/main.rs does not declare `mod {module};`, so {file} never runs (named for {id})"
        );
    }
}

#[test]
fn every_rule_cites_a_seed_of_its_pack() {
    for p in packs() {
        for r in &p.rules {
            let Some(clause) = &r.clause else {
                // The pack refuses a rule with neither; say it here too.
                assert!(
                    r.own_choice
                        .as_deref()
                        .is_some_and(|w| !w.trim().is_empty()),
                    "{} {}: no clause and no own choice",
                    p.name,
                    r.id
                );
                continue;
            };
            let file = seed_file(&p, r).unwrap();
            assert!(
                Path::new(&file).extension().is_some_and(|e| e == "txt"),
                "{file}"
            );
            assert!(
                !clause.words.trim().is_empty(),
                "{} {}: no words",
                p.name,
                r.id
            );
        }
    }
}

/// The matrix cell of two levels named as the docs name them.
fn cell_of(p: &Policy, impact: &str, urgency: &str) -> u8 {
    let level = |s: &str| {
        arende::record::Level::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .expect("a level name")
    };
    p.matrix
        .get(level(impact), level(urgency))
        .expect("every cell is there")
        .get()
}
