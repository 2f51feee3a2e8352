//! The STAT block (MS-OXNSPI §2.2.8): a position in an address book table
//! plus the client's code page and locales.

use crate::buf::{Codec, Reader, Writer};
use crate::error::Result;

/// The STAT block: a table position and the client's code page and locales
/// (MS-NSPI §2.3.7; 36 bytes, all u32 except `delta`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stat {
    /// `SortType`.
    pub sort_type: u32,
    /// `ContainerID` (a Minimal Entry ID).
    pub container_id: u32,
    /// `CurrentRec` (a Minimal Entry ID).
    pub current_rec: u32,
    /// `Delta`: signed offset from `current_rec`.
    pub delta: i32,
    /// `NumPos`.
    pub num_pos: u32,
    /// `TotalRecs`.
    pub total_recs: u32,
    /// `CodePage`, e.g. 1252.
    pub code_page: u32,
    /// `TemplateLocale`, e.g. 0x409.
    pub template_locale: u32,
    /// `SortLocale`, e.g. 0x409.
    pub sort_locale: u32,
}

impl Stat {
    /// Encoded length.
    pub const LEN: usize = 36;
}

impl Codec for Stat {
    const NAME: &'static str = "STAT";

    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.sort_type);
        w.u32(self.container_id);
        w.u32(self.current_rec);
        w.i32(self.delta);
        w.u32(self.num_pos);
        w.u32(self.total_recs);
        w.u32(self.code_page);
        w.u32(self.template_locale);
        w.u32(self.sort_locale);
        Ok(())
    }

    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(Stat {
            sort_type: r.u32("STAT SortType")?,
            container_id: r.u32("STAT ContainerID")?,
            current_rec: r.u32("STAT CurrentRec")?,
            delta: r.i32("STAT Delta")?,
            num_pos: r.u32("STAT NumPos")?,
            total_recs: r.u32("STAT TotalRecs")?,
            code_page: r.u32("STAT CodePage")?,
            template_locale: r.u32("STAT TemplateLocale")?,
            sort_locale: r.u32("STAT SortLocale")?,
        })
    }
}

/// `HasState` (bool8) + optional STAT, as used by most NSPI bodies.
pub fn write_optional_stat(w: &mut Writer, stat: &Option<Stat>) -> Result<()> {
    w.bool8(stat.is_some());
    match stat {
        Some(stat) => stat.write_to(w),
        None => Ok(()),
    }
}

/// Reads `HasState` + optional STAT.
pub fn read_optional_stat(r: &mut Reader<'_>) -> Result<Option<Stat>> {
    if r.bool8("HasState")? {
        Ok(Some(Stat::read_from(r)?))
    } else {
        Ok(None)
    }
}
