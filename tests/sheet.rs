//! `deploycheck sheet`: Markdown that loads back as the same checklist, plain text within
//! 80 columns, self-contained printable HTML; each pinned by snapshot on both seeds.

use unicode_width::UnicodeWidthStr;

use crate::support::{Test, count_items, json_items};

fn sheet(args: &[&str]) -> String {
    let mut all = vec!["sheet"];
    all.extend_from_slice(args);
    Test::with_seeds().args(&all).run().stdout
}

fn pin(name: &str, text: &str) {
    insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn markdown_sheet_for_production_loads_back_with_the_same_172_items() {
    let markdown = sheet(&["production"]);
    assert_eq!(markdown.matches("- [ ] ").count(), 172);
    for role in [
        "Development Team",
        "Operations Team",
        "Product Team",
        "Security Team",
    ] {
        assert!(markdown.contains(&format!("### {role}\n")), "{role}");
    }
    assert_eq!(markdown.matches("**Signed:** ").count(), 4);
    for field in ["Deployment Date", "Deployed By", "Version", "Git Commit"] {
        assert!(markdown.contains(&format!("*{field}:* ")), "{field}");
    }
    assert!(
        markdown.contains("- [ ] Maintenance window scheduled"),
        "production items present"
    );
    assert!(
        !markdown.contains("Feature branch deployed"),
        "development items absent"
    );
    assert!(
        !markdown.contains("Release candidate deployed"),
        "staging items absent"
    );
    assert!(
        markdown.contains("*Walked only when a rollback trigger holds or a rollback is started.*")
    );
    assert!(markdown.contains("  - measured: ________________ (needs < 200 ms (p95))"));

    let shown = Test::with_seeds()
        .write("sheet.md", &markdown)
        .args(&["show", "-c", "sheet.md", "--format", "json"])
        .run();
    let tree: serde_json::Value = serde_json::from_str(&shown.stdout).unwrap();
    assert_eq!(count_items(&tree), 172);
    let original = Test::with_seeds()
        .args(&["show", "production", "--format", "json"])
        .run();
    let original: serde_json::Value = serde_json::from_str(&original.stdout).unwrap();
    let ids = |tree: &serde_json::Value| {
        let mut ids: Vec<String> = json_items(tree)
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(
        ids(&tree),
        ids(&original),
        "the sheet loads back with the same item IDs"
    );
    assert_eq!(tree["fields"], original["fields"]);
    assert_eq!(tree["contacts"], original["contacts"]);
}

#[test]
fn markdown_sheet_of_every_environment_labels_scoped_sections_and_keeps_them_scoped() {
    let markdown = sheet(&[]);
    assert_eq!(markdown.matches("- [ ] ").count(), 182);
    assert!(markdown.contains(
        "<!-- deploycheck: env=production -->\n### Production Deployment\n\n*Production only.*"
    ));
    let shown = Test::with_seeds()
        .write("sheet.md", &markdown)
        .args(&["show", "staging", "-c", "sheet.md", "--format", "json"])
        .run();
    let tree: serde_json::Value = serde_json::from_str(&shown.stdout).unwrap();
    assert_eq!(count_items(&tree), 170);
}

#[test]
fn text_sheet_has_172_boxes_within_80_columns() {
    let text = sheet(&["production", "--format", "text"]);
    assert_eq!(text.matches("[ ] ").count(), 172);
    assert_eq!(text.matches("Signed: ").count(), 4);
    for line in text.lines() {
        assert!(line.width() <= 80, "{} columns: {line}", line.width());
        assert!(
            line.is_ascii() || line.chars().all(|c| c != '\u{fffd}'),
            "{line}"
        );
    }
}

#[test]
fn enterprise_sheet_nests_160_boxes_under_40_parents_without_mojibake() {
    for format in ["markdown", "text", "html"] {
        let out = sheet(&["-c", "enterprise", "--format", format]);
        for damaged in ["ğŸ", "â€", "âœ", "Ÿ"] {
            assert!(!out.contains(damaged), "{format}: {damaged}");
        }
        if format != "html" {
            let nested = out
                .lines()
                .filter(|l| l.starts_with("  - [ ] ") || l.starts_with("    [ ] "))
                .count();
            assert_eq!(nested, 160, "{format}");
        } else {
            assert_eq!(out.matches("<li class=\"item\">").count(), 200);
        }
    }
}

#[test]
fn html_sheet_is_self_contained() {
    let html = sheet(&["production", "--format", "html"]);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(html.matches("<li class=\"item\">").count(), 172);
    assert!(!html.contains("<script"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "nothing is fetched"
    );
    assert!(!html.contains("<link"));
    assert!(html.contains("@page"));
    assert!(html.contains("Response time &lt; 200ms (p95)"));
    assert_eq!(html.matches("<div class=\"signature\">").count(), 4);
}

#[test]
fn output_file_leaves_stdout_empty() {
    let test = Test::with_seeds().args(&[
        "sheet",
        "production",
        "--format",
        "html",
        "-o",
        "out/sheet.html",
    ]);
    let output = test.write("out/.keep", "").stdout("").run();
    let html = std::fs::read_to_string(output.dir.path().join("out/sheet.html")).unwrap();
    assert!(html.contains("</html>"));
}

#[test]
fn unknown_format_is_a_usage_error() {
    Test::with_seeds()
        .args(&["sheet", "--format", "pdf"])
        .status(2)
        .stderr_contains("invalid value 'pdf' for '--format <FORMAT>'")
        .run();
}

#[test]
fn sheets_of_the_shipped_checklists() {
    for (name, checklist) in [("mail_score", "mail-score"), ("enterprise", "enterprise")] {
        for format in ["markdown", "text", "html"] {
            let output = Test::new()
                .write(
                    &format!("checklists/{checklist}.md"),
                    std::fs::read(format!(
                        "{}/checklists/{checklist}.md",
                        env!("CARGO_MANIFEST_DIR")
                    ))
                    .unwrap(),
                )
                .args(&["sheet", "production", "--format", format])
                .run();
            pin(&format!("sheet_{name}_production.{format}"), &output.stdout);
        }
    }
}

/// Prints the HTML sheet with headless Chromium, when it is installed (with poppler for
/// reading the PDF back): at most 8 pages, and every item's text in the PDF.
#[test]
fn html_sheet_prints_every_item_on_at_most_8_pages_when_chromium_is_installed() {
    let have = |tool: &str| {
        std::process::Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !have("chromium") || !have("pdfinfo") || !have("pdftotext") {
        eprintln!("skipped: chromium and poppler-utils are not installed");
        return;
    }
    let output = Test::with_seeds()
        .args(&[
            "sheet",
            "production",
            "--format",
            "html",
            "-o",
            "sheet.html",
        ])
        .run();
    let dir = output.dir.path();
    let profile = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!(
            "--print-to-pdf={}",
            dir.join("sheet.pdf").display()
        ))
        .arg(format!("file://{}", dir.join("sheet.html").display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let info = std::process::Command::new("pdfinfo")
        .arg(dir.join("sheet.pdf"))
        .output()
        .unwrap();
    let pages: usize = String::from_utf8_lossy(&info.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().parse().unwrap()))
        .unwrap();
    assert!(pages <= 8, "{pages} pages");
    let text = std::process::Command::new("pdftotext")
        .arg(dir.join("sheet.pdf"))
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let shown = Test::with_seeds()
        .args(&["show", "production", "--format", "json"])
        .run();
    let tree: serde_json::Value = serde_json::from_str(&shown.stdout).unwrap();
    let missing: Vec<&str> = json_items(&tree)
        .iter()
        .filter_map(|i| i["text"].as_str())
        .filter(|item_text| !text.contains(item_text))
        .collect();
    assert!(missing.is_empty(), "missing from the PDF: {missing:?}");
}
