//! The CI files arende ships parse for their hosts' own checkers, and every
//! shell step in them runs (issue 27): the GitHub Action (`action.yml`), the
//! GitLab CI/CD component (`templates/arende.yml`) and the examples of
//! docs/ci.md (`docs/examples/`). The steps run in a record repository (a
//! copy of fixtures/inera with an origin, on a branch that adds an
//! incident), with the host's variables set to plausible values and a
//! `cargo` that puts the arende under test where `cargo install --root`
//! says instead of compiling: PATH has no arende until a step's own install
//! puts it there. Steps only the host can run are listed by name.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_yaml::{Mapping, Value};

use crate::support::*;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The GitHub examples (workflows), in docs/examples/.
const GITHUB_EXAMPLES: &[&str] = &["github-workflow.yml", "github-workflow-plain.yml"];
/// The GitLab examples (`.gitlab-ci.yml` files), in docs/examples/.
const GITLAB_EXAMPLES: &[&str] = &["gitlab-ci.yml", "gitlab-ci-plain.yml"];

/// Steps skipped by design: only GitHub runs them (its cache service, code
/// scanning, Pages), and the checkout is the repository the test made.
const GITHUB_HOST_ONLY: &[&str] = &[
    "actions/checkout",
    "actions/cache",
    "github/codeql-action/upload-sarif",
    "actions/upload-pages-artifact",
    "actions/deploy-pages",
];

/// The top-level keys of a `.gitlab-ci.yml` that are not jobs.
const GITLAB_KEYWORDS: &[&str] = &[
    "default",
    "include",
    "stages",
    "variables",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
];

/// The values the test gives GitHub's expressions (`${{ … }}`) outside
/// `inputs`, `env` and `steps`: a pull request from `feature` into `main`.
const GITHUB_CONTEXT: &[(&str, &str)] = &[
    ("github.base_ref", "main"),
    ("github.head_ref", "feature"),
    ("github.event_name", "pull_request"),
    ("github.action_ref", "v0.1.0"),
    ("runner.os", "Linux"),
];

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn yaml(text: &str, what: &str) -> Value {
    serde_yaml::from_str(text).unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// An outside checker, where `.ci/tools` installs it or on PATH. Missing,
/// it is a printed skip, and a failure where `CI` is set.
fn tool(name: &str) -> Option<PathBuf> {
    let local = Path::new(ROOT).join("target/ci-tools/bin").join(name);
    let on_path = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|dir| dir.join(name))
        .find(|p| p.is_file());
    match Some(local).filter(|p| p.is_file()).or(on_path) {
        Some(found) => Some(found),
        None if std::env::var_os("CI").is_some() => {
            panic!("{name} is missing: .ci/tools installs it, and CI does not skip this check")
        }
        None => {
            eprintln!("skipped: {name} is not installed (run .ci/tools)");
            None
        }
    }
}

fn run_tool(tool: &Path, args: &[&str], dir: &Path) -> Output {
    std::process::Command::new(tool)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", tool.display()))
}

fn both(out: &Output) -> String {
    format!("{}{}", stdout(out), stderr(out))
}

#[test]
fn docs_ci_embeds_the_example_files_as_they_are() {
    let doc = read("docs/ci.md");
    for name in GITHUB_EXAMPLES.iter().chain(GITLAB_EXAMPLES) {
        let text = read(&format!("docs/examples/{name}"));
        assert!(
            doc.contains(&format!("```yaml\n{text}```\n")),
            "docs/ci.md does not show docs/examples/{name} as it is"
        );
    }
    // No install the reader could not run: crates.io has no arende.
    for (at, _) in doc.match_indices("cargo install ") {
        let line = doc[at..].lines().next().unwrap_or_default();
        assert!(
            line.contains("--path") || line.contains("--git"),
            "docs/ci.md: {line}"
        );
    }
}

#[test]
fn the_github_workflows_and_the_action_pass_actionlint() {
    let Some(actionlint) = tool("actionlint") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let workflows = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    for name in GITHUB_EXAMPLES {
        std::fs::write(workflows.join(name), read(&format!("docs/examples/{name}"))).unwrap();
    }
    // actionlint reads a local action's action.yml where a workflow uses
    // it: one that uses this one with every input checks its metadata.
    std::fs::write(dir.path().join("action.yml"), read("action.yml")).unwrap();
    let uses_local = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v6\n      - id: arende\n        uses: ./\n        with:\n          args: validate --format sarif\n          output: arende.sarif\n          working-directory: .\n      - run: echo \"$CODE\"\n        env:\n          CODE: ${{ steps.arende.outputs.exit-code }}\n";
    std::fs::write(workflows.join("local.yml"), uses_local).unwrap();
    let git = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(git.status.success());
    let out = run_tool(&actionlint, &["-no-color"], dir.path());
    assert!(out.status.success(), "actionlint:\n{}", both(&out));

    // It catches what it is here for: an input the action does not have.
    let broken = uses_local.replace("working-directory: .", "workdir: .");
    std::fs::write(workflows.join("local.yml"), broken).unwrap();
    let out = run_tool(&actionlint, &["-no-color"], dir.path());
    assert!(!out.status.success(), "actionlint let an unknown input by");
    assert!(both(&out).contains("workdir"), "{}", both(&out));
}

/// The component's jobs document (after the `spec:` header), with its
/// inputs interpolated: `given` by name, else the spec's defaults.
fn component_jobs(given: &Mapping) -> (Value, String) {
    let text = read("templates/arende.yml");
    let (header, jobs) = text
        .split_once("\n---\n")
        .expect("templates/arende.yml: a spec document, then the jobs");
    let spec = yaml(header, "the component's spec");
    let inputs = spec["spec"]["inputs"].as_mapping().expect("spec: inputs:");
    let mut jobs = jobs.to_owned();
    for (name, declared) in inputs {
        let name = name.as_str().unwrap();
        let value = given
            .get(name)
            .or_else(|| declared.get("default"))
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("the component's input {name} has no value"));
        jobs = jobs.replace(&format!("$[[ inputs.{name} ]]"), value);
    }
    assert!(
        !jobs.contains("$[["),
        "an input the spec does not declare:\n{jobs}"
    );
    (spec, jobs)
}

/// The inputs the GitLab example gives the component.
fn example_inputs() -> Mapping {
    let example = yaml(&read("docs/examples/gitlab-ci.yml"), "gitlab-ci.yml");
    let include = &example["include"][0];
    assert!(
        include["component"]
            .as_str()
            .is_some_and(|c| c.contains("/arende/arende@")),
        "the example includes the component: {include:?}"
    );
    include["inputs"].as_mapping().cloned().unwrap_or_default()
}

#[test]
fn the_gitlab_files_pass_gitlabs_schema() {
    let Some(checker) = tool("check-jsonschema") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (spec, jobs) = component_jobs(&example_inputs());
    let mut files = vec![
        ("component-spec.yml", serde_yaml::to_string(&spec).unwrap()),
        ("component-jobs.yml", jobs),
        ("broken.yml", "job:\n  script: 5\n".to_owned()),
    ];
    for name in GITLAB_EXAMPLES {
        files.push((name, read(&format!("docs/examples/{name}"))));
    }
    for (name, text) in &files {
        std::fs::write(dir.path().join(name), text).unwrap();
        let args = ["--builtin-schema", "vendor.gitlab-ci", name];
        let out = run_tool(&checker, &args, dir.path());
        // The broken one shows the schema has teeth.
        assert_eq!(
            out.status.success(),
            *name != "broken.yml",
            "{name}:\n{}",
            both(&out)
        );
    }
}

/// `cargo` for the steps: checks an install's arguments as the real one
/// would need them, and copies the arende under test to `--root`/bin.
const FAKE_CARGO: &str = r#"#!/bin/sh
set -e
[ "$1" = install ] || { echo "test cargo: only install, not $1" >&2; exit 2; }
shift
locked= root= from=
while [ $# -gt 0 ]; do
  case "$1" in
    --locked) locked=1 ;;
    --root) root="$2"; shift ;;
    --path) from=path
      grep -q '^name = "arende"' "$2/Cargo.toml" || { echo "test cargo: $2 is not arende's checkout" >&2; exit 1; }
      shift ;;
    --git|--rev) from=${from:-git}; [ -n "$2" ] || exit 1; shift ;;
    arende) ;;
    *) echo "test cargo: unexpected argument $1" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$locked" ] || { echo "test cargo: an install without --locked" >&2; exit 1; }
[ -n "$root" ] && [ -n "$from" ] || { echo "test cargo: --root and --path or --git, please" >&2; exit 1; }
mkdir -p "$root/bin"
cp "$ARENDE_UNDER_TEST" "$root/bin/arende"
echo "$from" >> "$TEST_CARGO_LOG"
"#;

/// A record repository as a CI job checks it out: a copy of fixtures/inera
/// on `main`, pushed to a bare `origin`, and branch `feature` that adds an
/// incident (the change a pull request or merge request reviews).
struct Host {
    sb: Sandbox,
    /// The incident the branch adds.
    added: String,
    /// `cargo` and nothing else.
    tools: PathBuf,
    /// Every install the steps made.
    cargo_log: PathBuf,
}

impl Host {
    fn new() -> Host {
        let sb = Sandbox::new();
        sb.leaves_untracked("the CI steps' reports, site and installed arende");
        copy_dir(&Path::new(ROOT).join("fixtures/inera"), sb.root());
        sb.git_ok(&["init", "-q", "-b", "main"]);
        sb.git_ok(&["add", "-A"]);
        sb.git_ok(&["commit", "-q", "--no-verify", "-m", "records"]);
        let origin = sb.scratch().join("origin.git");
        let origin = origin.to_str().unwrap();
        sb.git_ok(&["clone", "-q", "--bare", ".", origin]);
        sb.git_ok(&["remote", "add", "origin", origin]);
        sb.git_ok(&["fetch", "-q", "origin"]);
        sb.branch("feature");
        let added = sb.journal_incident();
        let tools = sb.scratch().join("tools");
        std::fs::create_dir_all(&tools).unwrap();
        std::fs::write(tools.join("cargo"), FAKE_CARGO).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::Permissions::from_mode(0o755);
            std::fs::set_permissions(tools.join("cargo"), mode).unwrap();
        }
        let cargo_log = sb.scratch().join("cargo.log");
        Host {
            sb,
            added,
            tools,
            cargo_log,
        }
    }

    fn home(&self) -> PathBuf {
        let home = self.sb.scratch().join("home");
        std::fs::create_dir_all(&home).unwrap();
        home
    }

    /// `bash -eo pipefail -c SCRIPT` in `dir`, as the hosts run steps:
    /// PATH has the test's cargo and git, not arende, plus `path_adds`.
    fn shell(
        &self,
        script: &str,
        dir: &Path,
        env: &BTreeMap<String, String>,
        path_adds: &[PathBuf],
    ) -> Output {
        let mut path = path_adds.to_vec();
        path.push(self.tools.clone());
        path.extend(std::env::split_paths(&path_without_arende()));
        let home = self.home();
        std::process::Command::new("bash")
            .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
            .current_dir(dir)
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .env_remove("ARENDE_DIR")
            .env("PATH", std::env::join_paths(path).unwrap())
            .env("HOME", &home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", home.join(".gitconfig"))
            .env("ARENDE_NOW", NOW)
            .env("ARENDE_AUTHOR", AUTHOR)
            .env("NO_COLOR", "1")
            .env("CI", "true")
            .env("ARENDE_UNDER_TEST", assert_cmd::cargo::cargo_bin("arende"))
            .env("TEST_CARGO_LOG", &self.cargo_log)
            .envs(env)
            .stdin(std::process::Stdio::null())
            .output()
            .expect("bash runs")
    }

    /// The installs the steps made (`path` or `git`, one a line).
    fn installs(&self) -> Vec<String> {
        std::fs::read_to_string(&self.cargo_log)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// What the jobs wrote in the workspace is what the hosts read: a
    /// SARIF log, a Code Quality report, a review of the added incident.
    fn check_reports(&self, expected: &[&str]) {
        for name in expected {
            let path = self.sb.root().join(name);
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
            match *name {
                "arende.sarif" => {
                    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
                    assert_eq!(v["version"], "2.1.0", "{name}");
                    assert!(v["runs"][0]["tool"]["driver"]["name"].is_string(), "{name}");
                }
                "gl-code-quality-report.json" => {
                    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
                    assert!(v.is_array(), "{name}: {text}");
                }
                _ => assert!(
                    text.contains(&self.added),
                    "{name} reviews {}: {text}",
                    self.added
                ),
            }
        }
    }
}

fn step_failed(what: &str, out: &Output) -> String {
    format!("{what} failed ({}):\n{}", out.status, both(out))
}

// ------------------------------------------------------------ GitHub Actions

/// One GitHub job's runner: the files its steps write commands to, the
/// folders they added to PATH, and where it keeps temporary files.
struct Runner<'h> {
    host: &'h Host,
    files: tempfile::TempDir,
    temp: tempfile::TempDir,
    path_adds: Vec<PathBuf>,
    env: BTreeMap<String, String>,
    skipped: Vec<String>,
}

/// Where a list of steps runs: the workflow itself, or an action it uses
/// (with its inputs and its own step IDs).
#[derive(Default)]
struct Scope {
    inputs: BTreeMap<String, String>,
    outputs: BTreeMap<String, BTreeMap<String, String>>,
    action_path: Option<PathBuf>,
}

impl<'h> Runner<'h> {
    fn new(host: &'h Host, env: BTreeMap<String, String>) -> Runner<'h> {
        Runner {
            host,
            files: tempfile::tempdir().unwrap(),
            temp: tempfile::tempdir().unwrap(),
            path_adds: Vec::new(),
            env,
            skipped: Vec::new(),
        }
    }

    /// The value of one `${{ … }}` expression; one the test does not know
    /// fails it, so a new expression gets a plausible value here.
    fn value(&self, expr: &str, scope: &Scope) -> String {
        if let Some((_, v)) = GITHUB_CONTEXT.iter().find(|(k, _)| *k == expr) {
            return (*v).to_owned();
        }
        let known = if let Some(name) = expr.strip_prefix("inputs.") {
            scope.inputs.get(name).cloned()
        } else if let Some(name) = expr.strip_prefix("env.") {
            self.env.get(name).cloned()
        } else if let Some(rest) = expr.strip_prefix("steps.") {
            let (id, name) = rest.split_once(".outputs.").unwrap_or((rest, ""));
            Some(
                scope
                    .outputs
                    .get(id)
                    .and_then(|o| o.get(name))
                    .cloned()
                    .unwrap_or_default(),
            )
        } else if expr == "runner.temp" {
            Some(self.temp.path().display().to_string())
        } else if expr == "github.action_path" {
            scope.action_path.as_ref().map(|p| p.display().to_string())
        } else {
            None
        };
        known.unwrap_or_else(|| panic!("an expression the test gives no value: ${{{{ {expr} }}}}"))
    }

    fn expand(&self, text: &str, scope: &Scope) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            let end = rest[start..].find("}}").expect("a closed expression") + start;
            out.push_str(&rest[..start]);
            out.push_str(&self.value(rest[start + 3..end].trim(), scope));
            rest = &rest[end + 2..];
        }
        out + rest
    }

    /// The variables a step sees: the runner's, the workflow's and job's
    /// `env`, the step's own.
    fn step_env(&self, step: &Value, scope: &Scope) -> BTreeMap<String, String> {
        let files = self.files.path();
        let mut env: BTreeMap<String, String> = [
            ("GITHUB_ACTIONS", "true".to_owned()),
            (
                "GITHUB_WORKSPACE",
                self.host.sb.root().display().to_string(),
            ),
            ("GITHUB_EVENT_NAME", "pull_request".to_owned()),
            ("GITHUB_BASE_REF", "main".to_owned()),
            ("GITHUB_HEAD_REF", "feature".to_owned()),
            ("GITHUB_REF", "refs/pull/7/merge".to_owned()),
            ("RUNNER_OS", "Linux".to_owned()),
            ("RUNNER_ARCH", "X64".to_owned()),
            ("RUNNER_TEMP", self.temp.path().display().to_string()),
            ("GITHUB_PATH", files.join("path").display().to_string()),
            ("GITHUB_OUTPUT", files.join("output").display().to_string()),
            ("GITHUB_ENV", files.join("env").display().to_string()),
            (
                "GITHUB_STEP_SUMMARY",
                files.join("summary").display().to_string(),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        if let Some(path) = &scope.action_path {
            env.insert("GITHUB_ACTION_PATH".into(), path.display().to_string());
        }
        env.extend(self.env.clone());
        for (k, v) in step
            .get("env")
            .and_then(Value::as_mapping)
            .into_iter()
            .flatten()
        {
            let v = v
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| serde_yaml::to_string(v).unwrap());
            env.insert(k.as_str().unwrap().to_owned(), self.expand(&v, scope));
        }
        env
    }

    /// Takes in what a step wrote to `$GITHUB_PATH`, `$GITHUB_OUTPUT` and
    /// `$GITHUB_ENV`, as the runner does after each step.
    fn collect(&mut self, id: Option<&str>, scope: &mut Scope) {
        let take = |name: &str| {
            let path = self.files.path().join(name);
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let _ = std::fs::remove_file(&path);
            text
        };
        for line in take("path").lines().filter(|l| !l.is_empty()) {
            self.path_adds.insert(0, PathBuf::from(line));
        }
        let pairs = |text: String| -> Vec<(String, String)> {
            text.lines()
                .filter_map(|l| l.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
        };
        let outputs = pairs(take("output"));
        if let Some(id) = id {
            scope
                .outputs
                .entry(id.to_owned())
                .or_default()
                .extend(outputs);
        }
        self.env.extend(pairs(take("env")));
    }
}

impl Runner<'_> {
    fn run_steps(&mut self, steps: &[Value], scope: &mut Scope) {
        for step in steps {
            let id = step.get("id").and_then(Value::as_str);
            let name = step
                .get("name")
                .or_else(|| step.get("uses"))
                .or_else(|| step.get("run"))
                .and_then(Value::as_str)
                .unwrap_or("a step")
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned();
            if let Some(uses) = step.get("uses").and_then(Value::as_str) {
                self.uses(uses, step, scope);
            } else {
                let script = step["run"].as_str().expect("a step has `uses` or `run`");
                self.run(&name, script, step, scope);
            }
            self.collect(id, scope);
        }
    }

    fn run(&mut self, name: &str, script: &str, step: &Value, scope: &Scope) {
        let env = self.step_env(step, scope);
        assert!(
            !script.contains("${{"),
            "{name}: an expression in a script (pass it through env)"
        );
        let dir = match step.get("working-directory").and_then(Value::as_str) {
            Some(d) => self.host.sb.root().join(self.expand(d, scope)),
            None => self.host.sb.root().to_owned(),
        };
        let out = self.host.shell(script, &dir, &env, &self.path_adds);
        assert!(out.status.success(), "{}", step_failed(name, &out));
    }

    /// A step that uses an action: the arende action runs its own steps
    /// with the inputs given; a host-only one is skipped by design.
    fn uses(&mut self, uses: &str, step: &Value, scope: &Scope) {
        let action = uses.split('@').next().unwrap_or_default();
        if GITHUB_HOST_ONLY.contains(&action) {
            self.skipped.push(action.to_owned());
            return;
        }
        assert!(
            action == "./" || action.ends_with("/arende"),
            "a step uses {uses}: neither the arende action nor a host-only one the test lists"
        );
        let metadata = yaml(&read("action.yml"), "action.yml");
        let mut inner = Scope {
            action_path: Some(PathBuf::from(ROOT)),
            ..Scope::default()
        };
        let given = step
            .get("with")
            .and_then(Value::as_mapping)
            .cloned()
            .unwrap_or_default();
        for (name, input) in metadata["inputs"].as_mapping().expect("inputs") {
            let name = name.as_str().unwrap();
            let value = match given.get(name) {
                Some(v) => self.expand(v.as_str().expect("a string input"), scope),
                None => input["default"].as_str().unwrap_or_default().to_owned(),
            };
            inner.inputs.insert(name.to_owned(), value);
        }
        for name in given.keys() {
            assert!(
                inner.inputs.contains_key(name.as_str().unwrap()),
                "{uses}: no input {name:?}"
            );
        }
        assert_eq!(metadata["runs"]["using"], "composite");
        let steps = metadata["runs"]["steps"].as_sequence().expect("steps");
        self.run_steps(steps, &mut inner);
    }
}

/// Runs every job of a GitHub workflow, each on a runner of its own, and
/// returns the actions skipped by design.
fn run_workflow(host: &Host, name: &str) -> Vec<String> {
    let workflow = yaml(&read(&format!("docs/examples/{name}")), name);
    let mut skipped = Vec::new();
    let env = |v: &Value| -> BTreeMap<String, String> {
        v.get("env")
            .and_then(Value::as_mapping)
            .into_iter()
            .flatten()
            .map(|(k, v)| {
                (
                    k.as_str().unwrap().to_owned(),
                    v.as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    for (job_name, job) in workflow["jobs"].as_mapping().expect("jobs") {
        let mut vars = env(&workflow);
        vars.extend(env(job));
        let mut runner = Runner::new(host, vars);
        let steps = job["steps"].as_sequence().expect("steps");
        eprintln!("{name}: job {}", job_name.as_str().unwrap());
        runner.run_steps(steps, &mut Scope::default());
        skipped.extend(runner.skipped);
    }
    skipped
}

#[test]
fn every_shell_step_of_the_github_workflows_and_the_action_runs() {
    for name in GITHUB_EXAMPLES {
        let host = Host::new();
        let skipped = run_workflow(&host, name);
        for action in [
            "actions/checkout",
            "github/codeql-action/upload-sarif",
            "actions/deploy-pages",
        ] {
            assert!(
                skipped.iter().any(|s| s == action),
                "{name}: {action} expected: {skipped:?}"
            );
        }
        let reports = ["arende.sarif", "review.md", "public/index.html"];
        host.check_reports(&reports[..2]);
        for report in &reports[2..] {
            assert!(host.sb.root().join(report).is_file(), "{name}: {report}");
        }
        // Installed by the steps themselves (not found on PATH), from the
        // action's own checkout or from the repository's URL.
        let installs = host.installs();
        assert!(!installs.is_empty(), "{name}: nothing installed arende");
        let from = if name.contains("plain") {
            "git"
        } else {
            "path"
        };
        assert!(installs.iter().all(|i| i == from), "{name}: {installs:?}");
    }
}

// ------------------------------------------------------------------ GitLab CI

/// GitLab's variables for a merge request pipeline from `feature` into
/// `main`, in the checkout at `dir`.
fn gitlab_env(dir: &Path) -> BTreeMap<String, String> {
    [
        ("GITLAB_CI", "true"),
        ("CI_PIPELINE_SOURCE", "merge_request_event"),
        ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main"),
        ("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "feature"),
        ("CI_DEFAULT_BRANCH", "main"),
        ("CI_SERVER_URL", "https://gitlab.example.org"),
        ("CI_SERVER_HOST", "gitlab.example.org"),
        ("CI_SERVER_FQDN", "gitlab.example.org"),
        ("CI_JOB_TOKEN", "job-token"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .chain([("CI_PROJECT_DIR".to_owned(), dir.display().to_string())])
    .collect()
}

/// The pipeline a `.gitlab-ci.yml` makes: its own keys, and the jobs of
/// the component it includes (interpolated with the inputs it gives).
fn pipeline(name: &str) -> Mapping {
    let mut file = yaml(&read(&format!("docs/examples/{name}")), name)
        .as_mapping()
        .cloned()
        .unwrap();
    if file.remove("include").is_some() {
        let (_, jobs) = component_jobs(&example_inputs());
        let jobs = yaml(&jobs, "the component's jobs");
        for (k, v) in jobs.as_mapping().unwrap() {
            file.insert(k.clone(), v.clone());
        }
    }
    file
}

/// A job with what it `extends` (hidden jobs, one level, as the component
/// and the examples use it) and the `default` section under it.
fn resolved_job(file: &Mapping, job: &Mapping) -> Mapping {
    let mut base = file
        .get("default")
        .and_then(Value::as_mapping)
        .cloned()
        .unwrap_or_default();
    let parents = match job.get("extends") {
        Some(Value::String(one)) => vec![one.clone()],
        Some(Value::Sequence(many)) => many
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    for parent in parents {
        let hidden = file.get(parent.as_str()).and_then(Value::as_mapping);
        let hidden = hidden.unwrap_or_else(|| panic!("extends {parent}, which is not there"));
        merge_job(&mut base, hidden);
    }
    merge_job(&mut base, job);
    base
}

/// GitLab's merge of job keys: `variables` key by key, the rest replaced.
fn merge_job(into: &mut Mapping, from: &Mapping) {
    for (k, v) in from {
        match (k.as_str(), into.get_mut(k)) {
            (Some("variables"), Some(Value::Mapping(have))) => {
                for (vk, vv) in v.as_mapping().unwrap() {
                    have.insert(vk.clone(), vv.clone());
                }
            }
            _ => {
                into.insert(k.clone(), v.clone());
            }
        }
    }
}

/// The shell lines of a job: its variables exported as GitLab expands them
/// (`$VAR` in a value is the variable's value), then `before_script` and
/// `script`.
fn job_script(file: &Mapping, job: &Mapping) -> String {
    let mut lines = Vec::new();
    let global = file.get("variables").and_then(Value::as_mapping).cloned();
    let own = job.get("variables").and_then(Value::as_mapping).cloned();
    for (k, v) in global.into_iter().chain(own).flatten() {
        let v = v.as_str().expect("a string variable");
        assert!(
            !v.contains('"'),
            "a variable the test would quote wrongly: {v}"
        );
        lines.push(format!("export {}=\"{v}\"", k.as_str().unwrap()));
    }
    for key in ["before_script", "script"] {
        for line in job
            .get(key)
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
        {
            lines.push(line.as_str().expect("a script line").to_owned());
        }
    }
    lines.join("\n")
}

/// Runs every job of a GitLab pipeline in the checkout, and returns their names.
fn run_pipeline(host: &Host, name: &str) -> Vec<String> {
    let file = pipeline(name);
    let env = gitlab_env(host.sb.root());
    let mut ran = Vec::new();
    for (job_name, job) in &file {
        let job_name = job_name.as_str().unwrap();
        if GITLAB_KEYWORDS.contains(&job_name) || job_name.starts_with('.') {
            continue;
        }
        let job = resolved_job(&file, job.as_mapping().expect("a job is a mapping"));
        let script = job_script(&file, &job);
        let what = format!("{name}: job {job_name}");
        let out = host.shell(&script, host.sb.root(), &env, &[]);
        assert!(out.status.success(), "{}", step_failed(&what, &out));
        ran.push(job_name.to_owned());
    }
    ran
}

#[test]
fn every_script_of_the_gitlab_pipelines_and_the_component_runs() {
    for (name, validate, review) in [
        ("gitlab-ci.yml", "arende-validate", "arende-review.md"),
        ("gitlab-ci-plain.yml", "validate", "review.md"),
    ] {
        let host = Host::new();
        let ran = run_pipeline(&host, name);
        assert!(ran.iter().any(|j| j == validate), "{name}: {ran:?}");
        host.check_reports(&["gl-code-quality-report.json", review]);
        assert!(host.sb.root().join("public/index.html").is_file(), "{name}");
        // Installed by the jobs themselves (not found on PATH), once: the
        // jobs after the first find the binary where the cache keeps it.
        assert_eq!(host.installs(), ["git"], "{name}");
    }
}
