//! What a MAPI client does in its first minute, over real HTTP: Autodiscover (with X-MapiHttpCapability) for
//! the two endpoint URLs → Connect → Logon → open the Inbox → GetPropertiesSpecific → the IPM subtree's
//! hierarchy table (every special folder, with its name) → the Inbox's contents table (0 rows) → its rules
//! table (0 rows) → Release → NSPI Bind → QueryRows over the GAL in pages of 2 → ResolveNames of a display
//! name → Unbind → Disconnect.
//! Requests are written as MS-OXCROPS byte layouts; fixed-layout responses are checked byte for byte, rows by
//! decoding.

mod common;

use std::collections::HashMap;

use common::nspi::{gal_in_pages, nspi_bind, nspi_unbind, resolve_name};
use common::rops::execute;
use common::*;
use mapish_wire::autodiscover::{AutodiscoverOutcome, AutodiscoverRequest, parse_response};
use mapish_wire::buf::Codec;
use mapish_wire::prop::PropertyValue;
use mapish_wire::rop::{self, LogonResponse, RopResponse};

/// Autodiscover as Outlook asks it; returns the path and query of the (mailbox, address book) internal URLs.
fn autodiscover(server: &Server) -> (String, String) {
    let xml = AutodiscoverRequest::for_email("alice@contoso.com")
        .to_xml()
        .unwrap();
    let r = Reply::from(
        agent()
            .post(server.url("/autodiscover/autodiscover.xml"))
            .header("Content-Type", "text/xml")
            .header("Authorization", basic("alice@contoso.com", ALICE_PASSWORD))
            .header("X-MapiHttpCapability", "1")
            .send(xml.as_str())
            .unwrap(),
    );
    assert_eq!(r.status, 200);
    let AutodiscoverOutcome::Settings(settings) = parse_response(&r.entity).unwrap() else {
        panic!("{}", r.text())
    };
    let mapi = settings.mapi_http.expect("mapiHttp is offered");
    // The lab's InternalUrl has no port; the client reaches the same paths on the test server.
    let path = |url: Option<String>| {
        let url = url.expect("an internal URL");
        url.strip_prefix("http://127.0.0.1")
            .expect("the lab's internal host")
            .to_string()
    };
    (
        path(mapi.mail_store.internal),
        path(mapi.address_book.internal),
    )
}

#[test]
fn a_clients_first_minute() {
    let lab = Lab::new();
    let mut carol = mapish_store::Mailbox::new(
        "Carol",
        "carol",
        "carol@contoso.com",
        "carol@contoso.com",
        "Contoso",
        "EX01",
    );
    carol.display_name = "Carol Example".into();
    lab.store.update(|tx| tx.put_mailbox(&carol)).unwrap();
    let server = lab.start();
    let (mail_store, address_book) = autodiscover(&server);
    assert_eq!(
        mail_store,
        format!("/mapi/emsmdb/?MailboxId={}@contoso.com", lab.alice.guid)
    );
    let mut c = Mapi::emsmdb(&server, &lab.alice, ALICE_PASSWORD);
    c.url = server.url(&mail_store);
    let dn = lab.alice.legacy_exchange_dn.clone();
    c.connect(&dn).expect_code(0);

    // RopLogon (private, USE_PER_MDB_REPLID_MAPPING) into slot 0.
    let mut logon = hex("fe 00 00 01 00000001 00000000");
    logon.extend(u16::try_from(dn.len() + 1).unwrap().to_le_bytes());
    logon.extend(dn.as_bytes());
    logon.push(0);
    let (out, handles) = execute(&mut c, &logon, &[0xFFFF_FFFF]);
    let responses = rop::parse_responses(&out).unwrap();
    let [RopResponse::Logon(LogonResponse::Private { logon, .. })] = responses.as_slice() else {
        panic!("logon failed: {out:02x?}")
    };
    let logon_handle = handles[0];
    let inbox = logon.folder_ids[4].to_bytes();
    let ipm_subtree = logon.folder_ids[3].to_bytes();
    assert_eq!(inbox, hex("0100 00000000000d").as_slice());

    // RopOpenFolder(Inbox) into slot 1, then RopGetPropertiesSpecific on it for PidTagDisplayName,
    // PidTagContainerClass, PidTagContentCount, PidTagContentUnreadCount, PidTagFolderId and PidTagComment
    // (which a folder does not have).
    let mut rops = hex("02 00 00 01");
    rops.extend(inbox);
    rops.push(0x00);
    rops.extend(hex(
        "07 00 01 0000 0100 0600 1f000130 1f001336 03000236 03000336 14004867 1f000430",
    ));
    let (out, handles) = execute(&mut c, &rops, &[logon_handle, 0xFFFF_FFFF]);
    let mut expected = hex("02 01 00000000 00 00");
    expected.extend(hex("07 01 00000000 01"));
    expected.push(0);
    expected.extend(utf16z("Inbox"));
    expected.push(0);
    expected.extend(utf16z("IPF.Note"));
    expected.extend(hex("00 00000000 00 00000000 00"));
    expected.extend(inbox);
    expected.extend(hex("0a 0f010480"));
    assert_eq!(out, expected);
    let inbox_handle = handles[1];
    assert_ne!(inbox_handle, 0xFFFF_FFFF);

    // The IPM subtree's hierarchy table: open the folder (slot 2), RopGetHierarchyTable (slot 3, UseUnicode),
    // RopSetColumns (PidTagDisplayName, PidTagContainerClass, PidTagDepth), RopQueryRows of up to 100 rows.
    let mut rops = hex("02 00 00 02");
    rops.extend(ipm_subtree);
    rops.push(0x00);
    rops.extend(hex("04 00 02 03 40"));
    rops.extend(hex("12 00 03 00 0300 1f000130 1f001336 03000530"));
    rops.extend(hex("15 00 03 00 01 6400"));
    let slots = [logon_handle, inbox_handle, 0xFFFF_FFFF, 0xFFFF_FFFF];
    let (out, handles) = execute(&mut c, &rops, &slots);
    let requests: Vec<_> = rop::parse_requests(&rops)
        .unwrap()
        .into_iter()
        .map(|p| p.request)
        .collect();
    let responses = rop::parse_responses_for(&requests, &out, &HashMap::new()).unwrap();
    assert_eq!(responses[0].encode().unwrap(), hex("02 02 00000000 00 00"));
    assert_eq!(
        responses[1].encode().unwrap(),
        hex("04 03 00000000 0a000000"),
        "10 subfolders"
    );
    assert_eq!(responses[2].encode().unwrap(), hex("12 03 00000000 00"));
    let RopResponse::QueryRows(rows) = &responses[3] else {
        panic!("{:?}", responses[3])
    };
    assert_eq!(rows.origin, 2, "BOOKMARK_END: every row was read");
    let listed: Vec<(String, Option<String>, i32)> = rows
        .rows
        .iter()
        .map(|r| {
            let Some(PropertyValue::String(name)) = &r.values[0] else {
                panic!("{r:?}")
            };
            let class = match &r.values[1] {
                Some(PropertyValue::String(c)) => Some(c.clone()),
                Some(PropertyValue::ErrorCode(0x8004_010F)) => None,
                other => panic!("{other:?}"),
            };
            let Some(PropertyValue::Integer32(depth)) = r.values[2] else {
                panic!("{r:?}")
            };
            (name.clone(), class, depth)
        })
        .collect();
    let expected = [
        ("Sent Items", "IPF.Note"),
        ("Deleted Items", "IPF.Note"),
        ("Outbox", "IPF.Note"),
        ("Inbox", "IPF.Note"),
        ("Drafts", "IPF.Note"),
        ("Calendar", "IPF.Appointment"),
        ("Journal", "IPF.Journal"),
        ("Notes", "IPF.StickyNote"),
        ("Tasks", "IPF.Task"),
        ("Contacts", "IPF.Contact"),
    ];
    assert_eq!(
        listed,
        expected
            .iter()
            .map(|(n, c)| (n.to_string(), Some(c.to_string()), 0))
            .collect::<Vec<_>>()
    );
    let hierarchy_handle = handles[3];

    // The Inbox's contents table (slot 2) and rules table (slot 3): 0 rows each.
    let rops = hex("05 00 01 02 40
         12 00 02 00 0200 1f003700 40000630
         15 00 02 00 01 3200
         3f 00 01 03 40
         12 00 03 00 0300 14007466 1f008266 03007766
         15 00 03 00 01 3200");
    let (out, _) = execute(
        &mut c,
        &rops,
        &[logon_handle, inbox_handle, 0xFFFF_FFFF, 0xFFFF_FFFF],
    );
    assert_eq!(
        out,
        hex("05 02 00000000 00000000
             12 02 00000000 00
             15 02 00000000 02 0000
             3f 03 00000000
             12 03 00000000 00
             15 03 00000000 02 0000")
    );

    // Release everything (no responses), then Disconnect.
    let (out, _) = execute(
        &mut c,
        &hex("01 00 00 01 00 01 01 00 02"),
        &[logon_handle, inbox_handle, hierarchy_handle],
    );
    assert!(out.is_empty());

    // The address book: Bind, the whole GAL in pages of 2, resolve a display name, Unbind.
    let mut n = Mapi::nspi(&server, &lab.alice, ALICE_PASSWORD);
    n.url = server.url(&address_book);
    nspi_bind(&mut n);
    let gal = gal_in_pages(&mut n, 2);
    let names: Vec<&str> = gal.iter().map(|r| r.display_name.as_str()).collect();
    assert_eq!(names, ["Alice Example", "Bob Example", "Carol Example"]);
    assert_eq!(gal[0].dn, lab.alice.legacy_exchange_dn);
    assert_eq!(gal[2].smtp, "carol@contoso.com");
    let (mid, row) = resolve_name(&mut n, "Bob Example");
    assert!(
        mid >= 0x10,
        "a resolved name gets a minimal id, not 0 or 1: {mid}"
    );
    let row = row.expect("the resolved row");
    assert_eq!(row.smtp, "bob@contoso.com");
    assert_eq!(row.dn, lab.bob.legacy_exchange_dn);
    nspi_unbind(&mut n);

    c.send("Disconnect", &hex("00000000")).expect_code(0);
}
