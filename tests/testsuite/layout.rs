//! The sharded layout (`<kind folder>/<YYYY>/<MM>/<ID>.yaml`) and the flat
//! one of repositories made before it: both are read by every command, new
//! records land in their month's folder, a record filed in the wrong folder
//! is reported with the fix, and the commits arende makes leave git clean.

use std::path::Path;

use crate::support::*;

/// Moves a record's file with git and commits the move.
fn git_move(sb: &Sandbox, from: &str, to: &str) {
    if let Some(dir) = Path::new(to).parent() {
        std::fs::create_dir_all(sb.root().join(dir)).unwrap();
    }
    sb.git_ok(&["mv", from, to]);
    sb.git_ok(&["commit", "-q", "-m", &format!("move {from} to {to}")]);
}

/// Every everyday command reads the record at `rel`, and a change to it is
/// written where it is.
fn every_command_reads(sb: &Sandbox, id: &str, rel: &str) {
    assert_eq!(code(&sb.run(&["validate"])), 0, "validate");
    assert!(sb.ok(&["list"]).contains(id), "list shows {id}");
    assert!(sb.ok(&["show", id]).contains("Journal nere"), "show {id}");
    sb.ok(&["set", id, "urgency=low"]);
    sb.ok(&["status", id, "assigned", "--group", "servicedesk"]);
    let text = std::fs::read_to_string(sb.root().join(rel)).unwrap();
    assert!(text.contains("urgency: low"), "set wrote {rel}: {text}");
    assert!(
        text.contains("status: assigned"),
        "status wrote {rel}: {text}"
    );
    assert_eq!(
        yaml_files_under(&sb.root().join("incidents")).len(),
        1,
        "the record stays in one file"
    );
    let log = sb.ok(&["log", id]);
    assert!(log.contains("urgency"), "log follows {rel}: {log}");
    sb.assert_git_agrees();
}

both_layouts!(a_new_record_lands_in_its_month_folder_and_every_command_reads_it);
fn a_new_record_lands_in_its_month_folder_and_every_command_reads_it(layout: Layout) {
    let sb = Sandbox::with_repo_in(layout);
    let id = sb.new_incident("Journal nere", &["impact=high", "urgency=medium"]);
    let rel = rel_path(&id);
    assert!(
        rel.starts_with("incidents/2026/11/"),
        "NOW is in November 2026: {rel}"
    );
    assert!(sb.root().join(&rel).is_file(), "{rel} is written");
    assert!(sb.git().head_file(&rel).is_some(), "{rel} is committed");
    assert!(
        !sb.root().join(format!("incidents/{id}.yaml")).exists(),
        "nothing is written flat"
    );
    // The modeline (init asks for one) reaches the schemas from three folders down.
    let text = std::fs::read_to_string(sb.root().join(&rel)).unwrap();
    if let Some(line) = text.lines().find(|l| l.contains("$schema=")) {
        let schema = line.split("$schema=").nth(1).unwrap().trim();
        let target = sb.root().join("incidents/2026/11").join(schema);
        assert!(
            target.is_file(),
            "the modeline points at {}",
            target.display()
        );
    }
    every_command_reads(&sb, &id, &rel);
}

both_layouts!(a_flat_repository_keeps_working_and_its_records_stay_flat);
fn a_flat_repository_keeps_working_and_its_records_stay_flat(layout: Layout) {
    let sb = Sandbox::with_repo_in(layout);
    let id = sb.new_incident("Journal nere", &["impact=high", "urgency=medium"]);
    let flat = format!("incidents/{id}.yaml");
    git_move(&sb, &rel_path(&id), &flat);
    assert!(!sb.root().join(rel_path(&id)).exists());
    every_command_reads(&sb, &id, &flat);
    // A second record in the same repository is filed sharded all the same.
    let other = sb.new_incident("Skrivare", &["impact=low", "urgency=low"]);
    assert!(sb.root().join(rel_path(&other)).is_file());
    assert_eq!(code(&sb.run(&["validate"])), 0);
}

both_layouts!(a_record_at_an_odd_depth_is_found_and_the_move_is_named);
fn a_record_at_an_odd_depth_is_found_and_the_move_is_named(layout: Layout) {
    let sb = Sandbox::with_repo_in(layout);
    let id = sb.new_incident("Journal nere", &["impact=high", "urgency=medium"]);
    let odd = format!("incidents/archive/old/{id}.yaml");
    git_move(&sb, &rel_path(&id), &odd);
    assert!(sb.ok(&["show", &id]).contains("Journal nere"));
    assert!(sb.ok(&["list"]).contains(&id));

    let out = sb.run(&["validate", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let report = stdout(&out);
    assert!(report.contains("REPO002"), "{report}");
    assert!(
        report.contains(&format!("move it to {}", rel_path(&id))),
        "{report}"
    );

    // A rewrite moves it home in the same commit: one path in HEAD.
    sb.ok(&["set", &id, "urgency=low"]);
    assert!(!sb.root().join(&odd).exists());
    let text = std::fs::read_to_string(sb.root().join(rel_path(&id))).unwrap();
    assert!(text.contains("urgency: low"), "{text}");
    let git = sb.git();
    assert!(git.head_file(&odd).is_none());
    assert!(git.head_file(&rel_path(&id)).is_some());
    assert_eq!(code(&sb.run(&["validate"])), 0);
}

both_layouts!(a_record_in_the_wrong_month_is_reported_with_the_fix);
fn a_record_in_the_wrong_month_is_reported_with_the_fix(layout: Layout) {
    let sb = Sandbox::with_repo_in(layout);
    let id = sb.new_incident("Journal nere", &["impact=high", "urgency=medium"]);
    let wrong = format!("incidents/2026/10/{id}.yaml");
    git_move(&sb, &rel_path(&id), &wrong);
    let out = sb.run(&["validate", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let text = report.to_string();
    assert!(text.contains("REPO002"), "{text}");
    assert!(text.contains(&wrong), "names the file: {text}");
    assert!(
        text.contains(&format!("move it to {}", rel_path(&id))),
        "{text}"
    );
    // Moved back, it is fine again.
    git_move(&sb, &wrong, &rel_path(&id));
    assert_eq!(code(&sb.run(&["validate"])), 0);
}

#[test]
fn an_id_without_a_date_is_filed_flat() {
    let sb = Sandbox::with_repo();
    let text = "id: CI-EPRESCRIPTION\nkind: configuration_item\ntitle: E-recept\nstatus: active\n\
                opened_at: 2026-11-20T08:15:00+01:00\n\
                ci_type: service\nhistory:\n- at: 2026-11-20T08:15:00+01:00\n  by: Anna Berg <anna@example.se>\n  status: active\n  note: registered\n";
    std::fs::write(sb.root().join("configuration/CI-EPRESCRIPTION.yaml"), text).unwrap();
    sb.git_ok(&["add", "."]);
    sb.git_ok(&["commit", "-q", "-m", "a hand-made CI"]);
    assert_eq!(
        rel_path("CI-EPRESCRIPTION"),
        "configuration/CI-EPRESCRIPTION.yaml"
    );
    let out = sb.run(&["validate", "--format", "json"]);
    assert!(
        !stdout(&out).contains("REPO002"),
        "a flat record is filed right: {}",
        stdout(&out)
    );
    assert!(sb.ok(&["show", "CI-EPRESCRIPTION"]).contains("E-recept"));
}

#[test]
fn the_merge_driver_applies_to_records_in_month_folders() {
    let sb = Sandbox::with_repo();
    for path in [
        "incidents/2026/11/INC-20261122-AAAAAA.yaml",
        "incidents/INC-20261122-AAAAAA.yaml",
        "capacity/2027/01/CAP-20270101-AAAAAA.yaml",
    ] {
        let check = sb.git_ok(&["check-attr", "merge", path]);
        assert!(check.contains("merge: arende"), "{path}: {check}");
    }
}

both_layouts!(a_large_import_lands_sharded_in_one_pack_and_leaves_git_clean);
fn a_large_import_lands_sharded_in_one_pack_and_leaves_git_clean(layout: Layout) {
    let sb = Sandbox::init_in(layout, &["--policy", "ehm"]);
    let loose_before = loose_objects(&sb);
    let mut csv = String::from(
        "kind,source.system,source.id,title,opened_at,impact,urgency,reporter.party,reported_via\n",
    );
    let rows = 600;
    for i in 0..rows {
        csv.push_str(&format!(
            "incident,bench,B-{i},Incident {i},2026-{:02}-{:02} 10:00,low,low,aktor,phone\n",
            1 + i % 12,
            1 + i % 28
        ));
    }
    // Outside the repository, and apart from every other test's.
    let file = sb.scratch().join("layout-import.csv");
    std::fs::write(&file, &csv).unwrap();
    let out = sb.run(&["import", file.to_str().unwrap(), "--input", "csv"]);
    std::fs::remove_file(&file).unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let files = yaml_files_under(&sb.root().join("incidents"));
    assert_eq!(files.len(), rows);
    for f in &files {
        let rel = f.strip_prefix(sb.root()).unwrap().to_string_lossy();
        let id = f.file_stem().unwrap().to_string_lossy();
        assert_eq!(rel, rel_path(&id), "filed in its month's folder");
    }
    let months = std::fs::read_dir(sb.root().join("incidents/2026"))
        .unwrap()
        .count();
    assert_eq!(months, 12, "one folder a month");
    // One pack, not a loose object per blob.
    let packs = std::fs::read_dir(sb.git_path("objects/pack"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "pack")
        })
        .count();
    assert_eq!(packs, 1, "the import wrote one pack");
    assert!(
        loose_objects(&sb) - loose_before < 10,
        "the import's objects are in the pack, not loose"
    );
    sb.assert_git_agrees();
    assert_eq!(code(&sb.run(&["validate"])), 0);
    // A second run changes nothing, and a small change after it is loose.
    let again = sb.git().head();
    std::fs::write(&file, &csv).unwrap();
    let out = sb.run(&["import", file.to_str().unwrap(), "--input", "csv"]);
    std::fs::remove_file(&file).unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(sb.git().head(), again);
    let id = files[0].file_stem().unwrap().to_string_lossy().into_owned();
    sb.ok(&["set", &id, "urgency=medium"]);
    sb.assert_git_agrees();
}

both_layouts!(a_dry_run_names_new_records_by_their_source_rows);
fn a_dry_run_names_new_records_by_their_source_rows(layout: Layout) {
    let sb = Sandbox::init_in(layout, &["--policy", "inera"]);
    // A kund's report without the kund's ticket number (INC003, a
    // warning), so the summary names examples.
    let csv = "kind,source.system,source.id,title,opened_at,impact,urgency,reporter.party,reported_via\n\
               incident,tool,T-1,Allt nere,2026-11-01 10:00,medium,medium,kund,email\n\
               incident,tool,T-2,Allt nere igen,2026-11-01 11:00,medium,medium,kund,email\n";
    let dry = sb
        .cmd()
        .args(["import", "-", "--input", "csv", "--dry-run"])
        .write_stdin(csv)
        .output()
        .unwrap();
    assert_eq!(code(&dry), 0, "{}", stderr(&dry));
    let summary = stdout(&dry);
    assert!(
        summary.contains("a new record is named by its source row"),
        "{summary}"
    );
    assert!(
        !summary.contains("INC-2026"),
        "a dry run shows no ID the import will not make: {summary}"
    );
    assert!(
        summary.contains("INC003") && summary.contains("e.g. tool T-1 (row 2), tool T-2 (row 3)"),
        "{summary}"
    );
    let real = sb
        .cmd()
        .args(["import", "-", "--input", "csv"])
        .write_stdin(csv)
        .output()
        .unwrap();
    assert_eq!(code(&real), 0, "{}", stderr(&real));
    let made: Vec<String> = yaml_files_under(&sb.root().join("incidents"))
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(made.len(), 2);
    assert!(
        made.iter().all(|id| stdout(&real).contains(id.as_str())),
        "the real import names the IDs it made: {}",
        stdout(&real)
    );
}

/// Loose objects in the repository's object folder (the common one of a
/// linked worktree).
fn loose_objects(sb: &Sandbox) -> usize {
    std::fs::read_dir(sb.git_path("objects"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().len() == 2)
        .map(|e| std::fs::read_dir(e.path()).unwrap().count())
        .sum()
}
