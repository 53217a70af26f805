//! IDs are stable: records and diffs key on them, so an edit to one item must not move another.

use std::collections::BTreeSet;

use proptest::prelude::*;

use crate::support::fixture_bytes;
use crate::trees::{all_ids, load_markdown};

fn seed() -> String {
    String::from_utf8(fixture_bytes("seeds/mail-score.md")).unwrap()
}

fn ids_of(text: &str) -> BTreeSet<String> {
    all_ids(&load_markdown(text).expect("loads").checklist)
        .into_iter()
        .collect()
}

#[test]
fn rewording_one_item_changes_only_its_id() {
    let before = ids_of(&seed());
    let after = ids_of(&seed().replace(
        "- [ ] Backup current database",
        "- [ ] Back up the current database (pg_dump)",
    ));
    let gone: Vec<_> = before.difference(&after).collect();
    let new: Vec<_> = after.difference(&before).collect();
    assert_eq!(
        gone,
        ["deployment-process/database-migration/backup-current-database"]
    );
    assert_eq!(
        new,
        ["deployment-process/database-migration/back-up-the-current-database-pg-dump"]
    );
}

#[test]
fn inserting_an_item_changes_no_other_id() {
    let before = ids_of(&seed());
    let after = ids_of(&seed().replace(
        "- [ ] Backup current database\n",
        "- [ ] Freeze writes\n- [ ] Backup current database\n",
    ));
    assert!(before.is_subset(&after));
    assert_eq!(after.len(), before.len() + 1);
}

#[test]
fn explicit_id_wins_and_survives_rewording() {
    let text = "# T\n## P\n- [ ] Backup <!-- deploycheck: id=db-backup -->\n- [ ] db-backup\n";
    let ids = all_ids(&load_markdown(text).unwrap().checklist);
    assert_eq!(ids, ["p/p/db-backup", "p/p/db-backup-2"]);
    let reworded = text.replace("- [ ] Backup", "- [ ] Snapshot the database");
    assert_eq!(
        all_ids(&load_markdown(&reworded).unwrap().checklist)[0],
        "p/p/db-backup"
    );
}

#[test]
fn repeated_text_gets_a_suffix_and_a_warning() {
    let loaded = load_markdown("# T\n## P\n- [ ] Notify\n- [ ] Notify\n").unwrap();
    assert_eq!(all_ids(&loaded.checklist), ["p/p/notify", "p/p/notify-2"]);
    assert_eq!(loaded.warnings.len(), 1);
    assert!(
        loaded.warnings[0]
            .message
            .contains("give one an explicit id"),
        "{}",
        loaded.warnings[0].message
    );
    assert_eq!(loaded.warnings[0].line, Some(4));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any leaf item of the seed, reworded to new text, moves no other ID; and a new item
    /// inserted anywhere moves none.
    #[test]
    fn edits_and_insertions_move_no_other_id(index in 0usize..182, insert_at in 0usize..182) {
        let text = seed();
        let item_lines: Vec<usize> = text.lines().enumerate().filter(|(_, l)| l.starts_with("- [ ] ")).map(|(i, _)| i).collect();
        let before = ids_of(&text);

        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        lines[item_lines[index % item_lines.len()]] = "- [ ] A completely new wording zq".into();
        let after = ids_of(&lines.join("\n"));
        prop_assert_eq!(before.difference(&after).count(), 1);
        prop_assert_eq!(after.difference(&before).count(), 1);

        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        lines.insert(item_lines[insert_at % item_lines.len()], "- [ ] An inserted step zq".into());
        let after = ids_of(&lines.join("\n"));
        prop_assert!(before.is_subset(&after));
    }
}

#[test]
fn an_id_another_item_gives_itself_is_named_as_such_not_as_a_repeat() {
    crate::support::Test::new()
        .write(
            "checklists/c.md",
            "# T\n\n## P\n\n### S\n\n- [ ] Check logs\n- [ ] Something else <!-- deploycheck: id=check-logs -->\n",
        )
        .args(&["validate"])
        .stderr_contains(
            "checklists/c.md:7: warning: the item on line 7 would take the id `check-logs`, which the item `Something else` on line 8 gives itself, so it gets `check-logs-2`",
        )
        .run();
}
