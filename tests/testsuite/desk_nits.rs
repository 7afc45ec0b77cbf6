//! The small things of the desk's day (issue 24): answers that named the
//! wrong thing, or nothing.

use crate::support::*;

#[test]
fn init_needs_a_pack_and_takes_its_name_in_any_case() {
    let sb = Sandbox::new();
    let out = sb.run(&["init", "utan"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("--policy"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("inera, ehm, stockholm"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("arende.yaml"), "{}", stderr(&out));
    assert!(!sb.root().join("utan").exists());
    let out = sb.run(&["init", "fel", "--policy", "Inra"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("did you mean `inera`?"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("arende.yaml"), "{}", stderr(&out));
    sb.ok(&["init", "med", "--policy", "Inera"]);
    let config = std::fs::read_to_string(sb.root().join("med/arende.yaml")).unwrap();
    assert!(config.contains("policy: inera"), "{config}");
}

#[test]
fn a_dir_that_does_not_exist_is_named_as_such() {
    let sb = Sandbox::with_repo();
    let missing = sb.root().join("finns-inte");
    let out = sb.run(&["-C", missing.to_str().unwrap(), "list"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("no such folder"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("not inside"), "{}", stderr(&out));
}

#[test]
fn a_rejected_change_is_not_told_to_go_where_it_is() {
    let sb = Sandbox::with_repo();
    let chg = sb
        .ok(&[
            "new",
            "change",
            "--title",
            "Byte",
            "category=normal",
            "change_type=modification",
        ])
        .trim()
        .to_owned();
    sb.ok(&["status", &chg, "submitted"]);
    let out = sb.run(&[
        "--author",
        APPROVER,
        "approve",
        &chg,
        "--by",
        "andringsforum",
        "--decision",
        "rejected",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = sb.run(&["status", &chg, "approved"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("was rejected"), "{err}");
    assert!(
        !err.contains(&format!("arende status {chg} submitted")),
        "{err}"
    );
    assert!(
        err.contains(&format!("arende status {chg} rejected")),
        "{err}"
    );
}
