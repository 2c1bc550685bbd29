//! Snapshots of the terminal table and the Markdown summary, as a reader
//! sees them. Review changes with `cargo insta review`.

mod report_support;

use perfgate::report;

#[test]
fn terminal_table_of_the_routing_suite() {
    insta::assert_snapshot!(report::terminal_table(&report_support::suite(20), false));
}

#[test]
fn terminal_table_colours_only_the_verdicts_and_counts() {
    let results = report_support::suite(20);
    let coloured = report::terminal_table(&results, true);
    insta::assert_snapshot!(coloured.replace('\x1b', "<ESC>"));
    // Stripping the colour codes gives the plain table back: colour never
    // shifts a column.
    let mut plain = coloured.clone();
    while let Some(start) = plain.find('\x1b') {
        let end = start + plain[start..].find('m').unwrap();
        plain.replace_range(start..=end, "");
    }
    assert_eq!(plain, report::terminal_table(&results, false));
}

#[test]
fn terminal_table_of_hostile_names_keeps_one_row_per_benchmark() {
    let results = report_support::hostile();
    let table = report::terminal_table(&results, false);
    // Header, rule, one line per benchmark; then a blank line, "notes:"
    // and one line per note; then a blank line and the counts line.
    let rows = table.lines().take_while(|l| !l.is_empty()).count();
    assert_eq!(rows, 2 + results.comparisons.len());
    let notes: usize = results
        .comparisons
        .iter()
        .map(|c| c.notes.len() + usize::from(c.renamed_from.is_some()))
        .sum();
    let notes_block = if notes == 0 { 0 } else { 2 + notes };
    assert_eq!(table.lines().count(), rows + notes_block + 2);
    insta::assert_snapshot!(table);
}

#[test]
fn markdown_summary_of_the_routing_suite() {
    insta::assert_snapshot!(report::markdown(&report_support::suite(20)));
}

#[test]
fn markdown_summary_of_hostile_names_keeps_every_row_in_the_table() {
    let results = report_support::hostile();
    let md = report::markdown(&results);
    let rows = md
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| benchmark"))
        .count();
    assert_eq!(rows, results.comparisons.len());
    // Every row has exactly the table's 8 cells: no name adds a `|`.
    for line in md.lines().filter(|l| l.starts_with("| ")) {
        let cells = line.replace("\\|", "").matches('|').count() - 1;
        assert_eq!(cells, 8, "{line}");
    }
    insta::assert_snapshot!(md);
}
