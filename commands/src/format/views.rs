//! Default views per output type: what a Get- cmdlet shows when nothing formats its output.

use crate::cmdlets::objects::{CAS_MAILBOX_TYPE, MAILBOX_TYPE, ORG_TYPE, SERVER_TYPE, VDIR_TYPE};

pub enum DefaultView {
    /// Columns: (property, header label if different, declared width).
    Table(&'static [(&'static str, Option<&'static str>, Option<usize>)]),
    /// A table that starts a new section (`   TypeName: …`) whenever this property changes.
    GroupedTable(&'static str, &'static [(&'static str, Option<&'static str>, Option<usize>)]),
    List,
}

pub fn default_view(type_name: &str) -> Option<DefaultView> {
    Some(match type_name {
        VDIR_TYPE => DefaultView::Table(&[("Name", None, None), ("Server", None, None), ("InternalUrl", None, None), ("ExternalUrl", None, None)]),
        ORG_TYPE => DefaultView::List,
        // Exchange's documented default columns for Get-CASMailbox, with its "MapiEnabled" label.
        CAS_MAILBOX_TYPE => DefaultView::Table(&[
            ("Name", None, None),
            ("ActiveSyncEnabled", None, None),
            ("OWAEnabled", None, None),
            ("PopEnabled", None, None),
            ("ImapEnabled", None, None),
            ("MAPIEnabled", Some("MapiEnabled"), None),
        ]),
        MAILBOX_TYPE => DefaultView::Table(&[("Name", None, None), ("Alias", None, None), ("ServerName", None, None), ("ProhibitSendQuota", None, None)]),
        SERVER_TYPE => DefaultView::Table(&[("Name", None, None), ("Fqdn", None, None), ("ServerRole", None, None), ("AdminDisplayVersion", None, None)]),
        crate::cmdlets::core_types::GROUP_INFO => DefaultView::Table(&[("Count", None, Some(5)), ("Name", None, Some(25)), ("Group", None, None)]),
        crate::cmdlets::core_types::GROUP_INFO_NO_ELEMENT => DefaultView::Table(&[("Count", None, Some(5)), ("Name", None, None)]),
        crate::cmdlets::core_types::MEMBER_DEFINITION => DefaultView::GroupedTable("TypeName", &[("Name", None, None), ("MemberType", None, None), ("Definition", None, None)]),
        crate::probe::RESULT_TYPE => DefaultView::Table(&[("MonitorIdentity", None, Some(53)), ("StartTime", None, Some(21)), ("EndTime", None, Some(21)), ("Result", None, Some(9)), ("Error", None, None), ("Exception", None, None)]),
        crate::cmdlets::meta_types::COMMAND_INFO => DefaultView::Table(&[("CommandType", None, None), ("Name", None, None), ("Version", None, None), ("Source", None, None)]),
        _ => return None,
    })
}
