//! Values as the pack names them: priorities and classes by number or
//! label (Swedish or English, in any case, with or without accents),
//! impact and urgency in Swedish, change categories by ID, label or alias,
//! each stored as the canonical value; a bad value lists the allowed ones.

use crate::support::*;

fn value(sb: &Sandbox, id: &str, key: &str) -> serde_yaml::Value {
    field(&sb.record(id), key).clone()
}

#[test]
fn priority_and_class_by_label() {
    let sb = Sandbox::with_repo();
    let inc = sb.journal_incident();
    for (typed, want) in [
        ("Kritisk", 1),
        ("hog", 2),
        ("Allvarlig", 2),
        ("MEDEL", 3),
        ("low", 4),
    ] {
        sb.ok(&[
            "set",
            &inc,
            &format!("priority={typed}"),
            "priority_reason=test",
        ]);
        assert_eq!(
            value(&sb, &inc, "priority"),
            serde_yaml::Value::from(want),
            "{typed}"
        );
    }
    let prb = sb
        .ok(&[
            "new",
            "problem",
            "--title",
            "Minnesläcka",
            "description=Noden tappar minne.",
            "class=Hög",
        ])
        .trim()
        .to_owned();
    assert_eq!(value(&sb, &prb, "class"), serde_yaml::Value::from(2));
    sb.ok(&["set", &prb, "class=kritisk"]);
    assert_eq!(value(&sb, &prb, "class"), serde_yaml::Value::from(1));
    sb.ok(&["set", &prb, "class=critical"]);
    assert_eq!(value(&sb, &prb, "class"), serde_yaml::Value::from(1));
}

#[test]
fn impact_and_urgency_in_swedish() {
    let sb = Sandbox::with_repo();
    let inc = sb.journal_incident();
    sb.ok(&["set", &inc, "impact=Låg", "urgency=medel"]);
    assert_eq!(value(&sb, &inc, "impact"), serde_yaml::Value::from("low"));
    assert_eq!(
        value(&sb, &inc, "urgency"),
        serde_yaml::Value::from("medium")
    );
    sb.ok(&["set", &inc, "reported_via=Phone"]);
    assert_eq!(
        value(&sb, &inc, "reported_via"),
        serde_yaml::Value::from("phone")
    );
}

#[test]
fn a_bad_value_lists_the_allowed_ones_with_their_labels() {
    let sb = Sandbox::with_repo();
    let inc = sb.journal_incident();
    let out = sb.run(&["set", &inc, "priority=jättebrådskande"]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains("1 (Kritisk), 2 (Hög/Allvarlig), 3 (Medel), 4 (Låg)"),
        "{err}"
    );
    assert!(err.contains("help:"), "{err}");
    let out = sb.run(&["set", &inc, "impact=enorm"]);
    assert!(
        stderr(&out).contains("high (Hög), medium (Medel), low (Låg)"),
        "{}",
        stderr(&out)
    );
    let prb = sb
        .ok(&[
            "new",
            "problem",
            "--title",
            "Minnesläcka",
            "description=Noden tappar minne.",
            "class=2",
        ])
        .trim()
        .to_owned();
    let out = sb.run(&["set", &prb, "class=5"]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains("field `class`"), "the field is named: {err}");
    assert!(!err.contains("(record)"), "{err}");
    assert!(
        err.contains("help: set `class` to one of the values listed"),
        "{err}"
    );
}

#[test]
fn stockholm_categories_by_their_swedish_names() {
    let sb = Sandbox::new();
    sb.ok(&["init", "--policy", "stockholm"]);
    for (typed, want) in [
        ("Vanlig förändring", "normal"),
        ("vanlig", "normal"),
        ("NODATGARD", "emergency"),
        ("Nödåtgärd", "emergency"),
    ] {
        let out = sb.run(&[
            "new",
            "change",
            "--title",
            "Byt certifikat",
            "description=Certifikatet går ut.",
            "change_type=modification",
            &format!("category={typed}"),
        ]);
        let id = stdout(&out).trim().to_owned();
        assert!(!id.is_empty(), "{typed}: {}", stderr(&out));
        assert_eq!(
            value(&sb, &id, "category"),
            serde_yaml::Value::from(want),
            "{typed}"
        );
    }
    let out = sb.run(&[
        "new",
        "change",
        "--title",
        "x",
        "description=y",
        "category=brådis",
    ]);
    let err = stderr(&out);
    assert!(err.contains("normal (Vanlig förändring)"), "{err}");
}

#[test]
fn import_reads_the_packs_words() {
    let sb = Sandbox::new();
    sb.ok(&["init", "--policy", "stockholm"]);
    // Outside the repository: an input is not the repository's to commit.
    let file = sb.scratch().join("in.csv");
    std::fs::write(
        &file,
        "kind,source.system,source.id,title,description,change_type,category,opened_at\n\
         change,excel,C1,Byt certifikat,Certifikatet går ut.,modification,Vanlig förändring,10/11/2026 08:15\n",
    )
    .unwrap();
    let out = sb.run(&["import", file.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let ids = sb.ok(&["list", "--format", "json"]);
    let id = ids
        .split('"')
        .find(|s| s.starts_with("CHG-"))
        .expect("a change was imported")
        .to_owned();
    assert_eq!(
        value(&sb, &id, "category"),
        serde_yaml::Value::from("normal")
    );
    // Day first: 10 November.
    assert_eq!(
        value(&sb, &id, "opened_at"),
        serde_yaml::Value::from("2026-11-10T08:15:00+01:00")
    );
}
