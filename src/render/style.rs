//! Colour and Unicode, decided once at the edge: only on a terminal and never with `NO_COLOR`.

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
    pub unicode: bool,
}

impl Style {
    pub const PLAIN: Style = Style {
        color: false,
        unicode: false,
    };

    /// What a terminal gets; `no_color` honours the `NO_COLOR` convention.
    pub fn for_output(is_terminal: bool, no_color: bool) -> Style {
        Style {
            color: is_terminal && !no_color,
            unicode: is_terminal,
        }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    pub fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    pub fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }

    pub fn red(self, text: &str) -> String {
        self.paint("31", text)
    }

    pub fn green(self, text: &str) -> String {
        self.paint("32", text)
    }

    pub fn yellow(self, text: &str) -> String {
        self.paint("33", text)
    }

    pub fn cyan(self, text: &str) -> String {
        self.paint("36", text)
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
        assert_eq!(Style::PLAIN.bold("x"), "x");
        assert_eq!(Style::for_output(true, false).bold("x"), "\x1b[1mx\x1b[0m");
    }
}
