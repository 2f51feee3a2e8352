//! Positions in STAT-based tables (MS-OXNSPI §3.1.4.5): where a STAT says the client is, and how the server
//! reports the new position back.
//!
//! Absolute positioning: CurrentRec names a row (or MID_BEGINNING_OF_TABLE / MID_END_OF_TABLE) and Delta moves
//! from it. Fractional positioning (CurrentRec = MID_CURRENT): the row is NumPos/TotalRecs of the way through
//! the table, scaled to the table's real size, then moved by Delta. Either way the result is clamped to
//! [0, row count], where the row count itself means "past the last row".

use mapish_wire::ec;
use mapish_wire::nspi::{MID_BEGINNING_OF_TABLE, MID_CURRENT, MID_END_OF_TABLE, Stat};

/// The position before Delta is applied, or NotFound if CurrentRec names no row of `rows`.
pub fn base(stat: &Stat, rows: &[u32]) -> Result<usize, u32> {
    let total = rows.len();
    Ok(match stat.current_rec {
        MID_BEGINNING_OF_TABLE => 0,
        MID_END_OF_TABLE => total,
        MID_CURRENT => {
            if stat.total_recs == 0 {
                0
            } else {
                let scaled = u64::from(stat.num_pos) * total as u64 / u64::from(stat.total_recs);
                usize::try_from(scaled).unwrap_or(total).min(total)
            }
        }
        mid => rows
            .iter()
            .position(|&m| m == mid)
            .ok_or(ec::nspi::NOT_FOUND)?,
    })
}

/// The position a STAT designates (base moved by Delta, clamped).
pub fn locate(stat: &Stat, rows: &[u32]) -> Result<usize, u32> {
    let base = base(stat, rows)? as i64;
    Ok((base + i64::from(stat.delta)).clamp(0, rows.len() as i64) as usize)
}

/// Reports `position` in `stat`: CurrentRec = the row there (MID_END_OF_TABLE past the end), Delta 0,
/// NumPos = the position, TotalRecs = the row count.
pub fn report(stat: &mut Stat, rows: &[u32], position: usize) {
    stat.current_rec = rows.get(position).copied().unwrap_or(MID_END_OF_TABLE);
    stat.delta = 0;
    stat.num_pos = position as u32;
    stat.total_recs = rows.len() as u32;
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROWS: [u32; 4] = [0x11, 0x12, 0x13, 0x14];

    fn stat(current_rec: u32, delta: i32) -> Stat {
        Stat {
            current_rec,
            delta,
            ..Stat::default()
        }
    }

    #[test]
    fn absolute_positioning() {
        assert_eq!(locate(&stat(MID_BEGINNING_OF_TABLE, 0), &ROWS), Ok(0));
        assert_eq!(locate(&stat(MID_BEGINNING_OF_TABLE, 2), &ROWS), Ok(2));
        assert_eq!(locate(&stat(MID_END_OF_TABLE, -1), &ROWS), Ok(3));
        assert_eq!(locate(&stat(0x12, 1), &ROWS), Ok(2));
        assert_eq!(locate(&stat(0x12, -9), &ROWS), Ok(0));
        assert_eq!(locate(&stat(0x12, 9), &ROWS), Ok(4));
        assert_eq!(locate(&stat(0x99, 0), &ROWS), Err(ec::nspi::NOT_FOUND));
    }

    #[test]
    fn fractional_positioning_scales_to_the_real_table() {
        let mut s = stat(MID_CURRENT, 0);
        s.num_pos = 50;
        s.total_recs = 100;
        assert_eq!(locate(&s, &ROWS), Ok(2));
        s.num_pos = 500;
        assert_eq!(locate(&s, &ROWS), Ok(4));
        s.total_recs = 0;
        assert_eq!(locate(&s, &ROWS), Ok(0));
    }

    #[test]
    fn reporting() {
        let mut s = stat(MID_BEGINNING_OF_TABLE, 3);
        report(&mut s, &ROWS, 2);
        assert_eq!(
            (s.current_rec, s.delta, s.num_pos, s.total_recs),
            (0x13, 0, 2, 4)
        );
        report(&mut s, &ROWS, 4);
        assert_eq!(s.current_rec, MID_END_OF_TABLE);
    }
}
