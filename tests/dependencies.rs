//! The dependency policy (tests/dependency-policy.json), checked against `cargo metadata` for
//! every shipped dependency (normal and build, for the native and the wasm32 target): licenses
//! from an allow-list (SPDX expressions evaluated), crates.io as the only source, and no crate
//! in two versions unless the policy names it with a reason. Dev-dependencies are test tools.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::Value;

fn policy() -> Value {
    serde_json::from_str(include_str!("dependency-policy.json")).unwrap()
}

fn strings(v: &Value) -> BTreeSet<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_owned()).collect()
}

/// Evaluates an SPDX license expression (`A OR B`, `A AND B`, parentheses; the legacy `A/B`
/// means OR) against the allow-list.
fn allowed(expr: &str, allow: &BTreeSet<String>) -> bool {
    let spaced = expr.replace('/', " OR ").replace('(', " ( ").replace(')', " ) ");
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    let mut at = 0;
    let ok = or(&tokens, &mut at, allow);
    ok && at == tokens.len()
}

fn or(t: &[&str], at: &mut usize, allow: &BTreeSet<String>) -> bool {
    let mut v = and(t, at, allow);
    while t.get(*at) == Some(&"OR") {
        *at += 1;
        v |= and(t, at, allow);
    }
    v
}

fn and(t: &[&str], at: &mut usize, allow: &BTreeSet<String>) -> bool {
    let mut v = atom(t, at, allow);
    while t.get(*at) == Some(&"AND") {
        *at += 1;
        v &= atom(t, at, allow);
    }
    v
}

fn atom(t: &[&str], at: &mut usize, allow: &BTreeSet<String>) -> bool {
    let Some(tok) = t.get(*at) else { return false };
    *at += 1;
    if *tok == "(" {
        let v = or(t, at, allow);
        *at += 1; // ")"
        return v;
    }
    allow.contains(*tok)
}

/// (name, version, license, source) of every shipped package for `platform`.
fn shipped(platform: &str) -> Vec<(String, String, String, String)> {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked", "--offline", "--filter-platform", platform])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&out.stderr));
    let m: Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages: BTreeMap<&str, &Value> =
        m["packages"].as_array().unwrap().iter().map(|p| (p["id"].as_str().unwrap(), p)).collect();
    let nodes: BTreeMap<&str, &Value> =
        m["resolve"]["nodes"].as_array().unwrap().iter().map(|n| (n["id"].as_str().unwrap(), n)).collect();
    let root = m["resolve"]["root"].as_str().unwrap();
    let mut seen = BTreeSet::new();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        for d in nodes[id]["deps"].as_array().unwrap() {
            let shipped =
                d["dep_kinds"].as_array().unwrap().iter().any(|k| k["kind"].is_null() || k["kind"] == "build");
            if shipped {
                stack.push(d["pkg"].as_str().unwrap());
            }
        }
    }
    seen.remove(root);
    seen.iter()
        .map(|id| {
            let p = packages[id];
            let s = |k: &str| p[k].as_str().unwrap_or("").to_owned();
            (s("name"), s("version"), s("license"), s("source"))
        })
        .collect()
}

#[test]
fn licenses_sources_and_duplicates_follow_the_policy() {
    let policy = policy();
    let allow = strings(&policy["licenses"]);
    let sources = strings(&policy["sources"]);
    let dup_ok: BTreeSet<String> = policy["duplicates"].as_object().unwrap().keys().cloned().collect();
    let mut problems = Vec::new();
    let mut total = BTreeSet::new();
    for platform in strings(&policy["platforms"]) {
        let pkgs = shipped(&platform);
        assert!(pkgs.len() > 20, "{platform}: the dependency walk found only {} packages", pkgs.len());
        let mut versions: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (name, version, license, source) in &pkgs {
            total.insert(format!("{name} {version}"));
            if !allowed(license, &allow) {
                problems.push(format!("{platform}: {name} {version} has license {license:?}, not in the allow-list"));
            }
            if !sources.contains(source) {
                problems.push(format!("{platform}: {name} {version} comes from {source:?}, not crates.io"));
            }
            versions.entry(name).or_default().insert(version);
        }
        for (name, vs) in versions {
            if vs.len() > 1 && !dup_ok.contains(name) {
                problems.push(format!(
                    "{platform}: {name} in {} versions ({vs:?}): unify them, or add it to duplicates with a reason",
                    vs.len()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "dependency policy:\n{}", problems.join("\n"));
    eprintln!("dependency policy: {} shipped crate versions checked", total.len());
}

#[test]
fn the_license_evaluator_is_strict() {
    let allow: BTreeSet<String> = ["MIT", "Apache-2.0", "Unicode-3.0"].iter().map(|s| s.to_string()).collect();
    assert!(allowed("MIT OR Apache-2.0", &allow));
    assert!(allowed("MIT/Apache-2.0", &allow));
    assert!(allowed("(MIT OR Apache-2.0) AND Unicode-3.0", &allow));
    assert!(allowed("GPL-3.0 OR MIT", &allow));
    assert!(!allowed("GPL-3.0", &allow));
    assert!(!allowed("MIT AND GPL-3.0", &allow));
    assert!(!allowed("", &allow));
    assert!(!allowed("(MIT OR GPL-3.0) AND LGPL-2.1", &allow));
}
