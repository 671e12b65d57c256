//! What time it is, and how apiplay shows times, all through `jiff`: instants as RFC 3339 in
//! UTC (`2026-11-23T18:45:00Z`) or as local clock times that name their zone, and spans in one
//! format, CLI and TUI alike (`3d 4h`, `23h 59m`, `5m 2s`; `364d 23h 59m 56s` where a
//! countdown must tick).

use jiff::fmt::friendly::{Designator, Spacing, SpanPrinter};
use jiff::tz::TimeZone;
use jiff::{RoundMode, Span, SpanRound, Timestamp, Unit};

/// Seconds since the Unix epoch.
pub fn now_unix() -> i64 {
    Timestamp::now().as_second()
}

/// Milliseconds since the Unix epoch.
pub fn now_unix_ms() -> i64 {
    Timestamp::now().as_millisecond()
}

/// The instant `unix` seconds after the epoch, clamped into jiff's range (years -9999..=9999).
fn instant(unix: i64) -> Timestamp {
    Timestamp::from_second(unix).unwrap_or(if unix < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

/// `2026-11-23T18:45:00Z` for a Unix time in seconds.
pub fn rfc3339(unix: i64) -> String {
    utc(unix, "%Y-%m-%dT%H:%M:%SZ")
}

/// A Unix time in seconds shown in UTC with a `strftime` format (jiff's directives).
pub fn utc(unix: i64, format: &str) -> String {
    instant(unix).strftime(format).to_string()
}

/// A clock for showing instants in one time zone: the system's (`TZ`, `/etc/localtime`), or
/// UTC where the system names none.
#[derive(Debug, Clone)]
pub struct Clock {
    tz: TimeZone,
}

impl Clock {
    /// The system's zone (UTC when it cannot be found).
    pub fn local() -> Self {
        Self {
            tz: TimeZone::try_system().unwrap_or(TimeZone::UTC),
        }
    }

    /// UTC.
    pub fn utc() -> Self {
        Self::in_zone(TimeZone::UTC)
    }

    /// A fixed zone.
    pub fn in_zone(tz: TimeZone) -> Self {
        Self { tz }
    }

    /// The zone's abbreviation at `unix` (`UTC`, `CET`, `+0530` …), for column headers.
    pub fn zone_name(&self, unix: i64) -> String {
        let name = self
            .tz
            .to_offset_info(instant(unix))
            .abbreviation()
            .to_owned();
        if name.is_empty() {
            "UTC".to_owned()
        } else {
            name
        }
    }

    /// `HH:MM:SS` for an instant on `now`'s day in this zone, else `MM-DD HH:MM`.
    pub fn when(&self, at: i64, now: i64) -> String {
        let at = instant(at).to_zoned(self.tz.clone());
        let now = instant(now).to_zoned(self.tz.clone());
        if at.date() == now.date() {
            at.strftime("%H:%M:%S").to_string()
        } else {
            at.strftime("%m-%d %H:%M").to_string()
        }
    }
}

impl Default for Clock {
    /// The system's zone.
    fn default() -> Self {
        Self::local()
    }
}

/// A span of `seconds` in its two largest units: `3d 4h`, `23h 59m`, `5m 2s`, `12s`
/// (a day is 24 hours; the sign is dropped: callers say "in" or "ago").
pub fn span(seconds: i64) -> String {
    span_to(seconds, 2)
}

/// A span in all its units down to the second, so that it visibly ticks: `364d 23h 59m 56s`,
/// `1h 2m 5s`, `7s`.
pub fn countdown(seconds: i64) -> String {
    span_to(seconds, 4)
}

/// The span in at most `units` units from its largest, truncated (never rounded up: a token
/// with 23 h 59 m 59 s left does not read "1d").
fn span_to(seconds: i64, units: usize) -> String {
    const UNITS: [Unit; 4] = [Unit::Day, Unit::Hour, Unit::Minute, Unit::Second];
    let secs = seconds.unsigned_abs().min(i64::MAX as u64);
    let secs = i64::try_from(secs).unwrap_or(i64::MAX);
    let balanced = Span::new()
        .try_seconds(secs)
        .and_then(|s| s.round(SpanRound::new().largest(Unit::Day).days_are_24_hours()));
    let Ok(balanced) = balanced else {
        return format!("{secs}s");
    };
    let first = UNITS
        .iter()
        .position(|&u| balanced.get_units(u) != 0)
        .unwrap_or(UNITS.len() - 1);
    let smallest = UNITS[(first + units.max(1) - 1).min(UNITS.len() - 1)];
    let cut = balanced
        .round(
            SpanRound::new()
                .largest(Unit::Day)
                .smallest(smallest)
                .mode(RoundMode::Trunc)
                .days_are_24_hours(),
        )
        .unwrap_or(balanced);
    SpanPrinter::new()
        .designator(Designator::Compact)
        .spacing(Spacing::BetweenUnits)
        .zero_unit(smallest)
        .span_to_string(&cut.abs())
}

/// A span's value in `unit`, for picking its largest.
trait UnitsOf {
    fn get_units(&self, unit: Unit) -> i64;
}

impl UnitsOf for Span {
    fn get_units(&self, unit: Unit) -> i64 {
        match unit {
            Unit::Day => i64::from(self.get_days()),
            Unit::Hour => i64::from(self.get_hours()),
            Unit::Minute => self.get_minutes(),
            _ => self.get_seconds(),
        }
    }
}

/// "expires in 23h 59m" or "expired 3d ago", relative to `now`.
pub fn time_left(expires_at: i64, now: i64) -> String {
    if expires_at > now {
        format!("expires in {}", span(expires_at - now))
    } else {
        format!("expired {} ago", span(now - expires_at))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn formats_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_111_111), "1970-01-13T20:38:31Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc(951_782_400, "%a %b %d"), "Tue Feb 29");
        // Beyond jiff's range (years up to 9999) an instant is clamped, never a panic.
        assert!(rfc3339(i64::MAX).starts_with("9999-12-"));
    }

    #[test]
    fn formats_spans_in_one_style() {
        assert_eq!(time_left(100 + 86_340, 100), "expires in 23h 59m");
        assert_eq!(time_left(0, 3 * 86_400), "expired 3d ago");
        assert_eq!(span(3 * 86_400 + 4 * 3600 + 59), "3d 4h");
        assert_eq!(span(62), "1m 2s");
        assert_eq!(span(12), "12s");
        assert_eq!(span(0), "0s");
        assert_eq!(span(-3725), "1h 2m");
        assert_eq!(span(31_535_999), "364d 23h");
        assert_eq!(countdown(31_535_996), "364d 23h 59m 56s");
        assert_eq!(countdown(3725), "1h 2m 5s");
        assert_eq!(countdown(7), "7s");
        assert_eq!(countdown(86_400), "1d");
        assert_eq!(span(i64::MIN), span(i64::MAX));
    }

    #[test]
    fn clock_times_are_in_the_zone_named() {
        let berlin = Clock::in_zone(TimeZone::get("Europe/Berlin").unwrap());
        // 2026-11-24T05:04:50Z is 06:04:50 in Berlin (CET, UTC+1).
        let at = 1_795_496_690;
        assert_eq!(rfc3339(at), "2026-11-24T05:04:50Z");
        assert_eq!(berlin.when(at, at + 60), "06:04:50");
        assert_eq!(berlin.zone_name(at), "CET");
        // 23:30Z on the 23rd is already the 24th in Berlin, so "today" there.
        assert_eq!(berlin.when(at - 5 * 3600 - 34 * 60, at), "00:30:50");
        // 2027-01-15T08:00:00Z, written by hand: today it is a clock time, tomorrow a day.
        let utc = Clock::utc();
        let jan15 = 1_800_000_000;
        assert_eq!(utc.when(jan15, jan15 + 60), "08:00:00");
        assert_eq!(utc.when(jan15, jan15 + 86_400), "01-15 08:00");
        assert_eq!(utc.when(at - 5 * 3600 - 34 * 60, at), "11-23 23:30");
        assert_eq!(utc.zone_name(at), "UTC");
    }
}
