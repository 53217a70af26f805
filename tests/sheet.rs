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
    assert!(markdown.contains(
        "- [ ] Response time \\< 200ms (p95)\n  - needs < 200 ms (p95) · initials ______ · time ______ · reason / value ________________\n"
    ));
    assert_eq!(
        markdown
            .matches("  - initials ______ · time ______ · reason / value ")
            .count()
            + markdown
                .matches(" · initials ______ · time ______ · reason / value ")
                .count(),
        172,
        "every item has its write-ins"
    );
    for verdict in ["GO", "NO-GO", "ROLLED BACK", "INCOMPLETE"] {
        assert!(
            markdown.contains(&format!("| ☐ **{verdict}** |")),
            "{verdict}"
        );
    }
    assert!(
        markdown
            .contains("sha256 `c8e4e6b1305065425347a471b6bebf099bdd2c57758b69256c3a51f8b39dffd5`")
    );
    assert_eq!(markdown.matches("or refused, because ").count(), 4);

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
fn text_sheet_has_172_items_with_write_ins_within_80_columns() {
    let text = sheet(&["production", "--format", "text"]);
    let items = text
        .lines()
        .filter(|l| {
            l.trim_start().starts_with("[ ] ") && l.ends_with("________ __:__ ________________")
        })
        .count();
    assert_eq!(
        items, 172,
        "every item has its box, initials, time and reason blanks"
    );
    for verdict in ["GO", "NO-GO", "ROLLED BACK", "INCOMPLETE"] {
        assert!(text.contains(&format!("  [ ] {verdict} ")), "{verdict}");
    }
    assert_eq!(text.matches("Signature: ").count(), 4);
    assert_eq!(text.matches("or refused, because: ").count(), 4);
    assert_eq!(
        text.matches("sha256 c8e4e6b1305065425347a471b6bebf099bdd2c57758b69256c3a51f8b39dffd5\n")
            .count(),
        2,
        "the full sha256 at the top and at the end"
    );
    assert!(
        text.find("Lead Developer: TBD").unwrap() < text.find("\nPre-Deployment\n").unwrap(),
        "contacts before the first phase"
    );
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
            assert_eq!(out.matches("<tr class=\"item").count(), 200);
            assert_eq!(
                out.matches("<tr class=\"item group\">").count(),
                40,
                "parents get no box"
            );
        }
    }
}

#[test]
fn html_sheet_is_self_contained() {
    let html = sheet(&["production", "--format", "html"]);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(html.matches("<tr class=\"item\">").count(), 172);
    assert!(!html.contains("<script"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "nothing is fetched"
    );
    assert!(!html.contains("<link"));
    assert!(html.contains("@page"));
    assert!(html.contains("Response time &lt; 200ms (p95)"));
    assert_eq!(html.matches("<div class=\"signature\">").count(), 4);
    assert_eq!(
        html.matches("<th class=\"col\">Initials</th><th class=\"col\">Time</th>")
            .count(),
        html.matches("<table class=\"items").count(),
        "every section's header row names the write-in columns"
    );
    for verdict in ["GO", "NO-GO", "ROLLED BACK", "INCOMPLETE"] {
        assert!(
            html.contains(&format!("<strong>{verdict}</strong>")),
            "{verdict}"
        );
    }
    assert!(html.contains("counter(page)"), "printed pages are numbered");
    let sha = "sha256 c8e4e6b1305065425347a471b6bebf099bdd2c57758b69256c3a51f8b39dffd5";
    assert!(html.contains(sha), "the footer names the full sha256");
    let contacts = html.find("Emergency contacts").unwrap();
    assert!(
        contacts < html.find("<h2").unwrap(),
        "contacts come before the first phase"
    );
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

/// Prints the HTML sheet of both seeds for production with headless Chromium on A4 and on
/// Letter, when Chromium and poppler are installed, and reads the PDF back page by page.
#[test]
fn html_sheet_prints_for_a_pen_on_a4_and_letter_when_chromium_is_installed() {
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
    for checklist in ["mail-score", "enterprise"] {
        for (paper, size) in [("A4", "(A4)"), ("Letter", "(letter)")] {
            let pages = print(checklist, paper, size);
            let shown = Test::with_seeds()
                .args(&["show", "production", "-c", checklist, "--format", "json"])
                .run();
            let tree: serde_json::Value = serde_json::from_str(&shown.stdout).unwrap();
            check_printed(&tree, &pages, &format!("{checklist} on {paper}"));
        }
    }
}

/// The sheet printed to PDF on `paper`, as each page's letters and digits (whitespace,
/// punctuation and emoji dropped, so that line wrapping and fonts do not matter).
fn print(checklist: &str, paper: &str, paper_name: &str) -> Vec<String> {
    let output = Test::with_seeds()
        .args(&["sheet", "production", "-c", checklist, "--format", "html"])
        .run();
    // The paper a print dialog would choose; the sheet itself leaves the size to it.
    let html = output.stdout.replace(
        "</head>",
        &format!("<style>@page {{ size: {paper}; }}</style>\n</head>"),
    );
    let dir = output.dir.path();
    std::fs::write(dir.join("sheet.html"), html).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let pdf = dir.join("sheet.pdf");
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
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", dir.join("sheet.html").display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let info = std::process::Command::new("pdfinfo")
        .arg(&pdf)
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&info.stdout).into_owned();
    let size = info
        .lines()
        .find_map(|l| l.strip_prefix("Page size:"))
        .unwrap()
        .trim();
    assert!(size.ends_with(paper_name), "{paper}: page size {size}");
    let count: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().parse().unwrap()))
        .unwrap();
    (1..=count)
        .map(|page| {
            let text = std::process::Command::new("pdftotext")
                .args(["-f", &page.to_string(), "-l", &page.to_string()])
                .arg(&pdf)
                .arg("-")
                .output()
                .unwrap();
            letters(&String::from_utf8_lossy(&text.stdout))
        })
        .collect()
}

fn letters(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Finds texts in reading order across pages, so that a text printed twice is found where
/// it belongs.
struct Reader<'a> {
    pages: &'a [String],
    page: usize,
    offset: usize,
    what: &'a str,
}

impl Reader<'_> {
    /// The page on which `text` is next printed.
    fn find(&mut self, text: &str) -> usize {
        let needle = letters(text);
        while self.page < self.pages.len() {
            if let Some(at) = self.pages[self.page][self.offset..].find(&needle) {
                self.offset += at + needle.len();
                return self.page + 1;
            }
            self.page += 1;
            self.offset = 0;
        }
        panic!("{}: {text:?} is not printed (in order)", self.what);
    }
}

fn item_texts<'a>(items: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    for item in items.as_array().into_iter().flatten() {
        out.push(item["text"].as_str().unwrap());
        item_texts(&item["children"], out);
    }
}

/// At most 8 pages, each numbered and naming the checklist's sha256; the run fields, the
/// verdict box and the contacts on page 1; every phase heading on the page of its first
/// section; every section that fits on a page, and every sign-off block (statements,
/// name, signature, date, refusal), whole on one page.
fn check_printed(tree: &serde_json::Value, pages: &[String], what: &str) {
    assert!(pages.len() <= 8, "{what}: {} pages", pages.len());
    let sha = tree["source"]["sha256"].as_str().unwrap();
    for (index, page) in pages.iter().enumerate() {
        let number = letters(&format!("Page {} of {}", index + 1, pages.len()));
        assert!(
            page.contains(&number),
            "{what}: page {} unnumbered",
            index + 1
        );
        assert!(
            page.contains(sha),
            "{what}: page {} lacks the sha256",
            index + 1
        );
    }
    let first = &pages[0];
    for field in tree["fields"].as_array().unwrap() {
        let name = field["name"].as_str().unwrap();
        assert!(first.contains(&letters(name)), "{what}: field {name}");
    }
    for verdict in ["GO", "NOGO", "ROLLEDBACK", "INCOMPLETE"] {
        assert!(
            first.contains(verdict),
            "{what}: verdict box lacks {verdict}"
        );
    }
    let contacts = tree["contacts"].as_array().unwrap();
    assert!(!contacts.is_empty(), "{what}: the seed has contacts");
    for contact in contacts {
        for key in ["role", "name", "email", "phone"] {
            if let Some(value) = contact[key].as_str() {
                assert!(first.contains(&letters(value)), "{what}: contact {value}");
            }
        }
    }
    let mut reader = Reader {
        pages,
        page: 0,
        offset: 0,
        what,
    };
    let mut whole = 0;
    for phase in tree["phases"].as_array().unwrap() {
        let phase_title = phase["title"].as_str().unwrap();
        let phase_page = reader.find(phase_title);
        for (index, section) in phase["sections"].as_array().unwrap().iter().enumerate() {
            let title = section["title"].as_str().unwrap();
            let heading = if section["kind"] == "signoff" {
                format!("Sign-off: {}", section["role"].as_str().unwrap())
            } else {
                title.to_string()
            };
            // An implicit section's heading is its phase's.
            let start = if title == phase_title && section["kind"] != "signoff" {
                phase_page
            } else {
                reader.find(&heading)
            };
            if index == 0 {
                assert_eq!(
                    start, phase_page,
                    "{what}: phase {phase_title:?} is parted from its first section"
                );
            }
            let mut texts = Vec::new();
            item_texts(&section["items"], &mut texts);
            let mut end = start;
            for text in &texts {
                end = reader.find(text);
            }
            if section["kind"] == "signoff" {
                for label in ["Name", "Signature", "Date and time", "or refused, because"] {
                    end = reader.find(label);
                }
                assert_eq!(
                    start, end,
                    "{what}: sign-off block {heading:?} split over pages {start}-{end}"
                );
            } else if texts.len() <= 25 {
                assert_eq!(
                    start, end,
                    "{what}: section {heading:?} split over pages {start}-{end}"
                );
            }
            whole += 1;
        }
    }
    assert!(whole > 10, "{what}: only {whole} sections");
}
