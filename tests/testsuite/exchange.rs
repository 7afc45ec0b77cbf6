//! Exchange between organisations over git (issue 28): three bare
//! repositories on disk stand for three organisations' hosts (a slutkund
//! on the Stockholm pack, its agent and Inera on the Inera pack), each
//! with a working clone where its desk runs arende. An incident goes from
//! the slutkund's report, through the agent, to Inera and back; every
//! step is run twice and the second run must change nothing.

use std::path::PathBuf;

use crate::support::{Sandbox, code, stderr, stdout};

/// One organisation: its clone, and its host (a bare repository).
struct Org {
    dir: PathBuf,
    bare: PathBuf,
}

/// The three organisations, with partners set up both ways.
struct World {
    sb: Sandbox,
    slutkund: Org,
    agent: Org,
    inera: Org,
}

fn world() -> World {
    let sb = Sandbox::new();
    sb.leaves_dangling_commits(
        "an intake branch is removed once its report is filed, as a merged request's branch is; its commit waits for git gc",
    );
    let make = |name: &str, pack: &str| {
        let bare = sb.scratch().join(format!("{name}.git"));
        sb.git_ok_in(
            sb.scratch(),
            &["init", "-q", "--bare", "-b", "main", bare.to_str().unwrap()],
        );
        let dir = sb.root().join(name);
        let out = sb
            .cmd_in(sb.root())
            .args(["init", "-q", "--policy", pack, name])
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        sb.git_ok_in(&dir, &["remote", "add", "origin", bare.to_str().unwrap()]);
        sb.git_ok_in(&dir, &["push", "-q", "origin", "main"]);
        Org { dir, bare }
    };
    let w = World {
        slutkund: make("slutkund", "stockholm"),
        agent: make("agent", "inera"),
        inera: make("inera", "inera"),
        sb,
    };
    let url = |o: &Org| o.bare.to_str().unwrap().to_owned();
    w.ok(
        &w.slutkund,
        &[
            "partner",
            "add",
            "agent",
            &url(&w.agent),
            "--party",
            "agent",
            "--as",
            "slutkund",
            "--policy",
            "inera",
        ],
    );
    w.ok(
        &w.agent,
        &[
            "partner",
            "add",
            "slutkund",
            &url(&w.slutkund),
            "--party",
            "slutkund",
            "--as",
            "agent",
            "--policy",
            "stockholm",
        ],
    );
    w.ok(
        &w.agent,
        &[
            "partner",
            "add",
            "inera",
            &url(&w.inera),
            "--party",
            "inera",
        ],
    );
    w.ok(
        &w.inera,
        &[
            "partner",
            "add",
            "agent",
            &url(&w.agent),
            "--party",
            "agent",
            "--as",
            "inera",
        ],
    );
    for o in [&w.slutkund, &w.agent, &w.inera] {
        w.push(o);
    }
    w
}

impl World {
    fn run_at(&self, org: &Org, now: &str, args: &[&str]) -> std::process::Output {
        let out = self
            .sb
            .cmd_in(&org.dir)
            .env("ARENDE_NOW", now)
            .args(args)
            .output()
            .unwrap();
        crate::support::assert_no_panic(&out);
        out
    }

    fn ok_at(&self, org: &Org, now: &str, args: &[&str]) -> String {
        let out = self.run_at(org, now, args);
        assert_eq!(code(&out), 0, "arende {args:?} failed:\n{}", stderr(&out));
        stdout(&out)
    }

    fn ok(&self, org: &Org, args: &[&str]) -> String {
        self.ok_at(org, crate::support::NOW, args)
    }

    fn json(&self, org: &Org, now: &str, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        serde_json::from_str(&self.ok_at(org, now, &all)).unwrap()
    }

    /// Files an incident at `org` with `sets` (`field=value`), and gives its ID.
    fn incident(&self, org: &Org, now: &str, title: &str, sets: &[&str]) -> String {
        let mut args = vec!["new", "incident", "--title", title];
        for set in sets {
            args.extend(["--set", set]);
        }
        self.ok_at(org, now, &args).trim().to_owned()
    }

    fn push(&self, org: &Org) {
        self.sb
            .git_ok_in(&org.dir, &["push", "-q", "origin", "main"]);
    }

    fn record(&self, org: &Org, id: &str) -> serde_yaml::Mapping {
        let out = self.ok(org, &["show", id, "--format", "yaml"]);
        serde_yaml::from_str(&out).unwrap()
    }

    /// Every ref of every repository, clones and hosts: what a re-run
    /// must leave as it was.
    fn state(&self) -> Vec<String> {
        let mut out = Vec::new();
        for o in [&self.slutkund, &self.agent, &self.inera] {
            for dir in [&o.dir, &o.bare] {
                out.push(
                    self.sb
                        .git_ok_in(dir, &["for-each-ref", "--format=%(refname) %(objectname)"]),
                );
            }
            out.push(self.sb.git_ok_in(&o.dir, &["status", "--porcelain"]));
        }
        out
    }

    fn only_id(&self, org: &Org) -> String {
        let v = self.json(org, crate::support::NOW, &["list"]);
        let rows = v.as_array().unwrap();
        assert_eq!(rows.len(), 1, "{v}");
        rows[0]["id"].as_str().unwrap().to_owned()
    }

    /// Every record file's text in an organisation's clone and host.
    fn all_text(&self, org: &Org) -> String {
        let mut text = String::new();
        for file in crate::support::yaml_files_under(&org.dir) {
            text.push_str(&std::fs::read_to_string(file).unwrap());
        }
        text.push_str(
            &self
                .sb
                .git_ok_in(&org.bare, &["log", "--all", "-p", "--format=%B"]),
        );
        text
    }

    fn fsck_hosts(&self) {
        for o in [&self.slutkund, &self.agent, &self.inera] {
            let out = self
                .sb
                .git_run_in(&o.bare, &["fsck", "--strict", "--no-dangling"]);
            assert!(out.status.success(), "{}", stderr(&out));
        }
    }
}

fn externals(doc: &serde_yaml::Mapping) -> Vec<(String, String)> {
    doc.get("external")
        .and_then(|v| v.as_sequence())
        .map(|s| {
            s.iter()
                .map(|e| {
                    (
                        e["id"].as_str().unwrap().to_owned(),
                        e["type"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn remote_events(doc: &serde_yaml::Mapping) -> Vec<serde_yaml::Mapping> {
    crate::support::history(doc)
        .into_iter()
        .filter_map(|e| e.get("remote").and_then(|r| r.as_mapping()).cloned())
        .collect()
}

const T1: &str = "2026-12-01T09:00:00+01:00";
const T2: &str = "2026-12-01T09:10:00+01:00";
const T3: &str = "2026-12-01T09:20:00+01:00";
const T4: &str = "2026-12-01T09:30:00+01:00";
const T5: &str = "2026-12-01T10:30:00+01:00";
const T6: &str = "2026-12-01T10:40:00+01:00";
const T7: &str = "2026-12-01T10:50:00+01:00";

/// Runs `step` twice: the second run must change no ref and no file in
/// any of the six repositories.
fn twice(w: &World, step: impl Fn()) {
    step();
    let before = w.state();
    step();
    assert_eq!(before, w.state(), "a re-run changed something");
}

#[test]
fn an_incident_goes_from_the_slutkund_through_the_agent_to_inera_and_back() {
    let w = world();
    // Adding a partner again as it is changes nothing, its pack named
    // before or not.
    let url = w.inera.bare.to_str().unwrap().to_owned();
    let url_s = w.slutkund.bare.to_str().unwrap().to_owned();
    let before = w.state();
    twice(&w, || {
        w.ok(
            &w.agent,
            &["partner", "add", "inera", &url, "--party", "inera"],
        );
        w.ok(
            &w.agent,
            &["partner", "add", "slutkund", &url_s, "--party", "slutkund"],
        );
    });
    assert_eq!(before, w.state());
    let s_id = w.incident(
        &w.slutkund,
        T1,
        "Journalen svarar inte",
        &[
            "description=Inga journaler visas sedan 08:40",
            "impact=high",
            "urgency=high",
            "service=Journalen",
            "reported_via=phone",
            "local_troubleshooting=true",
            "reporter.name=Anna Svensson",
        ],
    );
    w.ok_at(
        &w.slutkund,
        T1,
        &["note", &s_id, "internt: ring Bosse på lab"],
    );
    twice(&w, || {
        w.ok_at(&w.slutkund, T1, &["send", "agent", &s_id]);
    });

    // The agent files it under its own ID with the slutkund's number.
    let listed = w.json(&w.agent, T2, &["intake"]);
    assert_eq!(listed["intakes"][0]["state"], "ready", "{listed}");
    assert_eq!(
        listed["intakes"][0]["branch"],
        format!("intake/slutkund/{s_id}")
    );
    twice(&w, || {
        w.ok_at(&w.agent, T2, &["intake", "accept"]);
    });
    let a_id = w.only_id(&w.agent);
    let a = w.record(&w.agent, &a_id);
    assert_eq!(externals(&a), vec![(s_id.clone(), "slutkund".into())]);
    assert_eq!(a["tickets"]["slutkund"].as_str(), Some(s_id.as_str()));
    assert_eq!(a["reporter"]["party"].as_str(), Some("slutkund"));
    assert!(a["reporter"].get("name").is_none(), "{a:?}");

    // The agent sends it on to Inera, which files it with both numbers.
    twice(&w, || {
        w.ok_at(&w.agent, T2, &["send", "inera", &a_id]);
    });
    w.push(&w.agent);
    twice(&w, || {
        w.ok_at(&w.inera, T3, &["intake", "accept"]);
    });
    let i_id = w.only_id(&w.inera);
    let i = w.record(&w.inera, &i_id);
    assert_eq!(
        externals(&i),
        vec![
            (s_id.clone(), "slutkund".into()),
            (a_id.clone(), "agent".into())
        ]
    );
    assert_eq!(i["tickets"]["agent"].as_str(), Some(a_id.as_str()));
    assert_eq!(i["tickets"]["slutkund"].as_str(), Some(s_id.as_str()));
    assert_eq!(
        i["priority"].as_u64(),
        Some(1),
        "Inera classifies it itself"
    );

    // Inera works it: a team and a person, a reply, an internal note.
    w.ok_at(
        &w.inera,
        T4,
        &[
            "assign",
            &i_id,
            "--group",
            "inera-sd",
            "--to",
            "Karin Karlsson",
        ],
    );
    w.ok_at(&w.inera, T4, &["status", &i_id, "assigned"]);
    w.ok_at(&w.inera, T4, &["status", &i_id, "in_progress"]);
    w.ok_at(
        &w.inera,
        T4,
        &["note", &i_id, "Vi felsöker databasen", "--customer"],
    );
    w.ok_at(&w.inera, T4, &["note", &i_id, "internt: DB-kluster 3 nere"]);
    w.ok_at(
        &w.inera,
        T5,
        &["set", &i_id, "resolution=Databasen omstartad"],
    );
    w.ok_at(&w.inera, T5, &["status", &i_id, "resolved"]);
    w.push(&w.inera);

    // The agent hears it all, then the slutkund hears it through the agent.
    twice(&w, || {
        w.ok_at(&w.agent, T6, &["sync"]);
    });
    w.push(&w.agent);
    twice(&w, || {
        w.ok_at(&w.slutkund, T7, &["sync"]);
    });
    let a = w.record(&w.agent, &a_id);
    assert!(externals(&a).contains(&(i_id.clone(), "inera".into())));
    let s = w.record(&w.slutkund, &s_id);
    let ids = externals(&s);
    assert!(ids.contains(&(a_id.clone(), "agent".into())), "{ids:?}");
    assert!(ids.contains(&(i_id.clone(), "inera".into())), "{ids:?}");
    let at_slutkund = remote_events(&s);
    let resolved = at_slutkund
        .iter()
        .find(|r| r.get("status").and_then(|v| v.as_str()) == Some("resolved"))
        .expect("Inera's resolution reaches the slutkund");
    assert_eq!(resolved["party"].as_str(), Some("inera"));
    assert_eq!(resolved["partner"].as_str(), Some("agent"));
    assert_eq!(resolved["record"].as_str(), Some(i_id.as_str()));
    assert_eq!(resolved["commit"].as_str().map(str::len), Some(40));
    assert!(
        at_slutkund
            .iter()
            .any(|r| r.get("group").and_then(|v| v.as_str()) == Some("inera-sd"))
    );
    let notes: Vec<String> = crate::support::history(&s)
        .iter()
        .filter_map(|e| e.get("note").and_then(|n| n.as_str()).map(str::to_owned))
        .collect();
    assert!(
        notes.iter().any(|n| n == "Vi felsöker databasen"),
        "{notes:?}"
    );

    // What the profiles withhold crossed nowhere.
    for (org, secret) in [
        (&w.agent, "internt: ring Bosse"),
        (&w.inera, "internt: ring Bosse"),
        (&w.agent, "Anna Svensson"),
        (&w.inera, "Anna Svensson"),
        (&w.agent, "DB-kluster"),
        (&w.slutkund, "DB-kluster"),
        (&w.agent, "Karin"),
        (&w.slutkund, "Karin"),
    ] {
        assert!(!w.all_text(org).contains(secret), "`{secret}` crossed");
    }
    for o in [&w.slutkund, &w.agent, &w.inera] {
        w.ok(o, &["validate"]);
    }
    w.fsck_hosts();
}

#[test]
fn a_slutkund_reporting_straight_to_inera_is_referred_and_hears_so() {
    let w = world();
    let url = w.inera.bare.to_str().unwrap().to_owned();
    w.ok(
        &w.slutkund,
        &[
            "partner", "add", "inera", &url, "--party", "inera", "--policy", "inera",
        ],
    );
    let s_id = w.incident(
        &w.slutkund,
        T1,
        "Inloggning fungerar inte",
        &["impact=low", "urgency=low"],
    );
    w.ok_at(&w.slutkund, T1, &["send", "inera", &s_id]);
    let out = w.run_at(&w.inera, T2, &["intake", "accept"]);
    assert_eq!(code(&out), 1, "a referral is no filing: {}", stdout(&out));
    assert!(
        stdout(&out).contains("referred: refer to agent"),
        "{}",
        stdout(&out)
    );
    assert!(
        w.json(&w.inera, T2, &["list"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    twice(&w, || {
        let _ = w.run_at(&w.inera, T2, &["intake", "accept"]);
        w.ok_at(&w.slutkund, T3, &["sync", "inera"]);
    });
    let s = w.record(&w.slutkund, &s_id);
    let heard = remote_events(&s);
    assert!(
        heard
            .iter()
            .any(|r| r.get("verdict").and_then(|v| v.as_str()) == Some("referred")),
        "{heard:?}"
    );
    // Troubleshot locally, it goes again on the same branch, and is taken.
    w.ok_at(
        &w.slutkund,
        T3,
        &["set", &s_id, "local_troubleshooting=true"],
    );
    w.ok_at(&w.slutkund, T3, &["send", "inera", &s_id]);
    w.ok_at(&w.inera, T4, &["intake", "accept"]);
    assert_eq!(w.json(&w.inera, T4, &["list"]).as_array().unwrap().len(), 1);
}

#[test]
fn a_refused_intake_carries_its_reasons_back() {
    let w = world();
    let s_id = w.incident(
        &w.slutkund,
        T1,
        "Dubblett",
        &["impact=low", "urgency=low", "local_troubleshooting=true"],
    );
    w.ok_at(&w.slutkund, T1, &["send", "agent", &s_id]);
    let out = w.run_at(
        &w.agent,
        T2,
        &[
            "intake",
            "refuse",
            &s_id,
            "--reason",
            "dubblett av ett ärende vi redan har",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    twice(&w, || {
        w.ok_at(&w.slutkund, T3, &["sync"]);
    });
    let s = w.record(&w.slutkund, &s_id);
    let notes: Vec<String> = crate::support::history(&s)
        .iter()
        .filter_map(|e| e.get("note").and_then(|n| n.as_str()).map(str::to_owned))
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("refused by agent: dubblett av ett ärende")),
        "{notes:?}"
    );
    // A kind the agent does not take is refused when it is accepted.
    let cfg = w.agent.dir.join("arende.yaml");
    let mut doc: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(&cfg).unwrap()).unwrap();
    doc["exchange"]["partners"]["slutkund"]["receive"]["kinds"] =
        serde_yaml::from_str("[change]").unwrap();
    std::fs::write(&cfg, serde_yaml::to_string(&doc).unwrap()).unwrap();
    w.sb.git_ok_in(
        &w.agent.dir,
        &[
            "commit",
            "-qam",
            "agent takes only changes from the slutkund",
        ],
    );
    let t_id = w.incident(
        &w.slutkund,
        T3,
        "Ett till",
        &["impact=low", "urgency=low", "local_troubleshooting=true"],
    );
    w.ok_at(&w.slutkund, T3, &["send", "agent", &t_id]);
    let out = w.run_at(&w.agent, T4, &["intake", "accept", "--format", "json"]);
    assert_eq!(code(&out), 1);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["intakes"][0]["verdict"], "refused", "{v}");
    assert!(
        v["intakes"][0]["reasons"][0]
            .as_str()
            .unwrap()
            .contains("incidents are not taken")
    );
}

#[test]
fn a_sync_after_both_sides_changed_the_same_record_keeps_both() {
    let w = world();
    let s_id = w.incident(
        &w.slutkund,
        T1,
        "Skrivare",
        &["impact=medium", "urgency=low", "local_troubleshooting=true"],
    );
    w.ok_at(&w.slutkund, T1, &["send", "agent", &s_id]);
    w.ok_at(&w.agent, T2, &["intake", "accept"]);
    let a_id = w.only_id(&w.agent);
    w.push(&w.agent);
    w.ok_at(&w.slutkund, T3, &["sync"]);
    // Both sides change their record of it.
    w.ok_at(&w.agent, T4, &["assign", &a_id, "--group", "agent-sd"]);
    w.ok_at(&w.agent, T4, &["status", &a_id, "assigned"]);
    w.ok_at(
        &w.agent,
        T4,
        &["note", &a_id, "Vilken skrivare gäller det?", "--customer"],
    );
    w.push(&w.agent);
    w.ok_at(
        &w.slutkund,
        T4,
        &["note", &s_id, "internt: kollar med enheten"],
    );
    w.ok_at(
        &w.slutkund,
        T4,
        &["set", &s_id, "description=Skrivaren på plan 3"],
    );
    twice(&w, || {
        w.ok_at(&w.slutkund, T5, &["sync"]);
    });
    let s = w.record(&w.slutkund, &s_id);
    assert_eq!(s["description"].as_str(), Some("Skrivaren på plan 3"));
    let heard = remote_events(&s);
    assert!(
        heard
            .iter()
            .any(|r| r.get("status").and_then(|v| v.as_str()) == Some("assigned"))
    );
    assert!(
        heard
            .iter()
            .any(|r| r.get("reply").and_then(|v| v.as_bool()) == Some(true))
    );
    w.ok(&w.slutkund, &["validate"]);

    // Another clone of the slutkund's repository synced the same news on
    // its own, at another time: merging the two gives each event once
    // (the merge driver).
    w.push(&w.slutkund);
    w.sb.git_ok_in(&w.slutkund.dir, &["reset", "-q", "--hard", "HEAD~1"]);
    w.sb.git_ok_in(
        &w.slutkund.dir,
        &["update-ref", "-d", "refs/arende/partners/agent/synced"],
    );
    w.ok_at(&w.slutkund, T6, &["sync"]);
    w.sb.git_ok_in(&w.slutkund.dir, &["fetch", "-q", "origin"]);
    w.sb.git_ok_in(
        &w.slutkund.dir,
        &["merge", "-q", "--no-edit", "origin/main"],
    );
    let merged = w.record(&w.slutkund, &s_id);
    let resolved: Vec<_> = remote_events(&merged)
        .into_iter()
        .filter(|r| r.get("status").and_then(|v| v.as_str()) == Some("assigned"))
        .collect();
    assert_eq!(resolved.len(), 1, "{merged:?}");
    w.ok(&w.slutkund, &["validate"]);
}

#[test]
fn nothing_of_a_partners_repository_runs_or_configures_here() {
    let w = world();
    let marker = w.sb.scratch().join("hook-ran");
    for hook in [
        "pre-receive",
        "update",
        "post-receive",
        "post-update",
        "reference-transaction",
    ] {
        let path = w.agent.bare.join("hooks").join(hook);
        std::fs::write(&path, format!("#!/bin/sh\ntouch {}\n", marker.display())).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
    // The agent's own files would, if read, run a filter and change the pack.
    std::fs::write(
        w.agent.dir.join(".gitattributes"),
        "*.yaml filter=evil merge=evil\n",
    )
    .unwrap();
    std::fs::write(
        w.agent.dir.join("arende.yaml"),
        "policy: ehm\nexchange: {party: agent}\n",
    )
    .unwrap();
    w.sb.git_ok_in(&w.agent.dir, &["commit", "-qam", "hostile"]);
    w.push(&w.agent);
    std::fs::remove_file(&marker).ok();
    let s_id = w.incident(
        &w.slutkund,
        T1,
        "Hook",
        &["impact=low", "urgency=low", "local_troubleshooting=true"],
    );
    let sent = w.json(&w.slutkund, T1, &["send", "agent", &s_id]);
    assert!(sent["pushed"].is_string(), "{sent}");
    w.ok_at(&w.slutkund, T2, &["sync"]);
    assert!(!marker.exists(), "a hook of the partner's ran");
    // The report was translated with the pack our arende.yaml names for
    // the agent (inera), not the one the agent's file claims.
    let rules: Vec<String> = sent["partner_findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect();
    // INC004 (a slutkund's report carries the agent's ticket number) is
    // Inera's; E-hälsomyndigheten's pack has no such rule, and no party
    // `slutkund`.
    assert!(rules.iter().any(|r| r == "INC004"), "{rules:?}");
    assert!(rules.iter().all(|r| r.starts_with("INC")), "{rules:?}");
}

#[test]
fn what_would_cross_with_a_personal_identity_number_is_not_sent() {
    let w = world();
    let s_id = w
        .ok_at(
            &w.slutkund,
            T1,
            &[
                "new",
                "incident",
                "--title",
                "Patient",
                "--force",
                "--set",
                "description=Gäller 19121212-1212",
                "--set",
                "impact=low",
                "--set",
                "urgency=low",
            ],
        )
        .trim()
        .to_owned();
    let before = w.state();
    let out = w.run_at(&w.slutkund, T1, &["send", "agent", &s_id]);
    assert_ne!(code(&out), 0);
    assert!(
        stderr(&out).contains("personal identity number"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("1212-1212"), "the number is masked");
    assert_eq!(before, w.state(), "nothing was pushed or committed");
}

#[test]
fn a_hostile_intake_branch_is_refused_not_trusted() {
    let w = world();
    // Somebody pushes a branch by hand: an alias bomb, and a report whose
    // party is not the branch's.
    let hand = w.sb.scratch().join("hand");
    w.sb.git_ok_in(
        w.sb.scratch(),
        &[
            "clone",
            "-q",
            w.agent.bare.to_str().unwrap(),
            hand.to_str().unwrap(),
        ],
    );
    std::fs::create_dir_all(hand.join("intake/slutkund")).unwrap();
    let bomb = "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d]\n";
    std::fs::write(hand.join("intake/slutkund/INC-20261201-BBBB.yaml"), bomb).unwrap();
    w.sb.git_ok_in(
        &hand,
        &["checkout", "-q", "-b", "intake/slutkund/INC-20261201-BBBB"],
    );
    w.sb.git_ok_in(&hand, &["add", "-A"]);
    w.sb.git_ok_in(
        &hand,
        &[
            "-c",
            "user.name=X",
            "-c",
            "user.email=x@x",
            "commit",
            "-qm",
            "bomb",
        ],
    );
    w.sb.git_ok_in(&hand, &["push", "-q", "origin", "HEAD"]);
    let out = w.run_at(&w.agent, T2, &["intake", "accept", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["intakes"][0]["verdict"], "refused", "{v}");
    assert!(
        w.json(&w.agent, T2, &["list"])
            .as_array()
            .unwrap()
            .is_empty()
    );
}

/// A repository that asks for signed approvals takes a partner's events
/// only from a commit signed with a key the partner published.
#[test]
fn a_signed_repository_takes_a_partners_events_only_signed() {
    let w = world();
    let s_id = w.incident(
        &w.slutkund,
        T1,
        "Signerat",
        &["impact=low", "urgency=low", "local_troubleshooting=true"],
    );
    w.ok_at(&w.slutkund, T1, &["send", "agent", &s_id]);
    w.ok_at(&w.agent, T2, &["intake", "accept"]);
    w.push(&w.agent);
    // The slutkund asks for signatures; the agent has published none.
    let cfg = w.slutkund.dir.join("arende.yaml");
    let mut doc: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(&cfg).unwrap()).unwrap();
    doc["approvals"] = serde_yaml::from_str("{signed: true}").unwrap();
    std::fs::write(&cfg, serde_yaml::to_string(&doc).unwrap()).unwrap();
    w.sb.git_ok_in(&w.slutkund.dir, &["commit", "-qam", "signed approvals"]);
    let head = w.sb.git_ok_in(&w.slutkund.dir, &["rev-parse", "HEAD"]);
    let out = w.run_at(&w.slutkund, T3, &["sync"]);
    assert_ne!(code(&out), 0);
    assert!(
        stderr(&out).contains("published no keys"),
        "{}",
        stderr(&out)
    );
    let after = w.sb.git_ok_in(&w.slutkund.dir, &["rev-parse", "HEAD"]);
    assert_eq!(head, after, "nothing recorded");

    // The agent publishes its key; an unsigned tip is still refused.
    let key = w.sb.scratch().join("agent-key");
    let made = std::process::Command::new("ssh-keygen")
        .args([
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-C",
            "desk@agent.example",
            "-f",
        ])
        .arg(&key)
        .output()
        .expect("ssh-keygen is installed (openssh-client; .ci/run installs it)");
    assert!(made.status.success());
    let public = std::fs::read_to_string(format!("{}.pub", key.display())).unwrap();
    doc["exchange"]["partners"]["agent"]["keys"] =
        serde_yaml::Value::Sequence(vec![format!("desk@agent.example {}", public.trim()).into()]);
    std::fs::write(&cfg, serde_yaml::to_string(&doc).unwrap()).unwrap();
    w.sb.git_ok_in(&w.slutkund.dir, &["commit", "-qam", "the agent's key"]);
    let out = w.run_at(&w.slutkund, T3, &["sync"]);
    assert!(stderr(&out).contains("is not signed"), "{}", stderr(&out));

    // Signed by the agent's desk, it is taken.
    w.sb.git_ok_in(
        &w.agent.dir,
        &[
            "-c",
            "gpg.format=ssh",
            "-c",
            &format!("user.signingkey={}", key.display()),
            "-c",
            "user.name=Agent Desk",
            "-c",
            "user.email=desk@agent.example",
            "commit",
            "-q",
            "--allow-empty",
            "-S",
            "-m",
            "signed by the agent's desk",
        ],
    );
    w.push(&w.agent);
    w.ok_at(&w.slutkund, T3, &["sync"]);
    let s = w.record(&w.slutkund, &s_id);
    assert!(
        remote_events(&s)
            .iter()
            .any(|r| r.get("verdict").and_then(|v| v.as_str()) == Some("accepted"))
    );
}

/// A partner cannot hang events on a record of ours by naming it: only a
/// record we sent it, or whose ID we hold, hears from it.
#[test]
fn a_partner_naming_a_record_we_never_sent_it_is_not_heard() {
    let w = world();
    let s_id = w.incident(&w.slutkund, T1, "Vårt eget", &["impact=low", "urgency=low"]);
    let a_id = w.incident(
        &w.agent,
        T2,
        "Påhitt",
        &[
            "impact=low",
            "urgency=low",
            "reporter.party=agent",
            "tickets.agent=1",
        ],
    );
    let path = w.agent.dir.join(crate::support::rel_path(&a_id));
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(&format!("external:\n- id: {s_id}\n  type: slutkund\n"));
    std::fs::write(&path, text).unwrap();
    w.ok_at(
        &w.agent,
        T3,
        &["status", &a_id, "assigned", "--group", "agent-sd"],
    );
    w.push(&w.agent);
    let before = w.sb.git_ok_in(&w.slutkund.dir, &["rev-parse", "HEAD"]);
    let out = w.json(&w.slutkund, T4, &["sync"]);
    assert_eq!(out["partners"][0]["events"], 0, "{out}");
    let after = w.sb.git_ok_in(&w.slutkund.dir, &["rev-parse", "HEAD"]);
    assert_eq!(before, after);
}
