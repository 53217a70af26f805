//! Colour and Unicode, decided once at the edge: only on a terminal and never with `NO_COLOR`.

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
    pub unicode: bool,
}

impl Style {
    /// What a terminal gets; `no_color` honours the `NO_COLOR` convention.
    pub fn for_output(is_terminal: bool, no_color: bool) -> Style {
        Style {
            color: is_terminal && !no_color,
            unicode: is_terminal,
        }
    }

    fn paint(self, style: anstyle::Style, text: &str) -> String {
        if self.color {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }

    fn fg(color: anstyle::AnsiColor) -> anstyle::Style {
        anstyle::Style::new().fg_color(Some(color.into()))
    }

    pub fn bold(self, text: &str) -> String {
        self.paint(anstyle::Style::new().bold(), text)
    }

    pub fn dim(self, text: &str) -> String {
        self.paint(anstyle::Style::new().dimmed(), text)
    }

    pub fn red(self, text: &str) -> String {
        self.paint(Self::fg(anstyle::AnsiColor::Red), text)
    }

    pub fn green(self, text: &str) -> String {
        self.paint(Self::fg(anstyle::AnsiColor::Green), text)
    }

    pub fn yellow(self, text: &str) -> String {
        self.paint(Self::fg(anstyle::AnsiColor::Yellow), text)
    }

    pub fn cyan(self, text: &str) -> String {
        self.paint(Self::fg(anstyle::AnsiColor::Cyan), text)
    }

    /// `a · b` on a terminal, `a | b` elsewhere.
    pub fn separator(self) -> &'static str {
        if self.unicode { " · " } else { " | " }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_on_a_terminal_and_never_with_no_color() {
        assert!(Style::for_output(true, false).color);
        assert!(!Style::for_output(true, true).color, "NO_COLOR wins");
        assert!(!Style::for_output(false, false).color);
        assert!(
            Style::for_output(true, true).unicode,
            "NO_COLOR is about colour only"
        );
        assert_eq!(Style::default().bold("x"), "x");
        assert_eq!(Style::for_output(true, false).bold("x"), "\x1b[1mx\x1b[0m");
    }
}
