//! The address book endpoint over real HTTP: Bind, Unbind, GetMailboxUrl, GetAddressBookUrl, PING, the
//! request types not served, cookie separation from the mailbox endpoint, and the NSPI operations over the
//! GAL (GetSpecialTable, QueryRows, SeekEntries, DNToMId, GetProps, GetPropList, QueryColumns, ResolveNames,
//! GetMatches, CompareMIds, UpdateStat, GetTemplateInfo) with spec-derived bodies.

mod common;

use common::*;
use mapish_wire::buf::Codec;
use mapish_wire::nspi::{BindResponse, UrlSuccess};

#[test]
fn bind_urls_ping_unbind() {
    let lab = Lab::new();
    let server = lab.start();
    let mut n = Mapi::nspi(&server, &lab.alice, ALICE_PASSWORD);
    // Bind without STAT (T9): 28-byte body with this server's GUID; request type in capitals like ruler.
    let r = n.send("BIND", &hex("00000000 00 00000000"));
    r.expect_code(0);
    assert_eq!(r.header("x-requesttype").as_deref(), Some("BIND"));
    let server_guid = lab.store.server("EX01").unwrap().unwrap().guid;
    let mut expected = hex("00000000 00000000");
    expected.extend(server_guid.to_bytes_le());
    expected.extend(hex("00000000"));
    assert_eq!(r.body(), expected);
    assert_eq!(
        BindResponse::decode(&expected)
            .unwrap()
            .success()
            .unwrap()
            .server_guid,
        server_guid
    );
    let cookies = r.all("set-cookie");
    assert!(
        cookies.iter().all(|c| c.contains("Path=/mapi/nspi/")),
        "{cookies:?}"
    );
    assert!(cookies[0].starts_with("MapiContext=N1."));

    // Bind with a STAT (T9, 45 bytes) also works.
    let mut m = Mapi::nspi(&server, &lab.alice, ALICE_PASSWORD);
    m.send("Bind", &hex("00000000 01 00000000 00000000 00000000 00000000 00000000 00000000 e4040000 09040000 09040000 00000000"))
        .expect_code(0);
    // CP_WINUNICODE is refused with NotSupported and no session.
    let mut w = Mapi::nspi(&server, &lab.alice, ALICE_PASSWORD);
    let r = w.send("Bind", &hex("00000000 01 00000000 00000000 00000000 00000000 00000000 00000000 b0040000 09040000 09040000 00000000"));
    assert_eq!(&r.body()[..8], hex("00000000 02010480").as_slice());
    assert!(r.all("set-cookie").is_empty());

    // GetMailboxUrl (Host is 127.0.0.1 → the internal URL).
    let mut body = hex("00000000");
    body.extend(utf16z(&format!("/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Configuration/cn=Servers/cn={}@contoso.com/cn=Microsoft Private MDB", lab.alice.guid)));
    body.extend(hex("00000000"));
    let r = n.send("GetMailboxUrl", &body);
    r.expect_code(0);
    let url = mapish_wire::body::Response::<UrlSuccess>::decode(&r.body())
        .unwrap()
        .into_result()
        .unwrap();
    assert_eq!(url.error_code, 0);
    assert_eq!(
        url.server_url,
        format!(
            "http://127.0.0.1/mapi/emsmdb/?MailboxId={}@contoso.com",
            lab.alice.guid
        )
    );
    // The response bytes: StatusCode, ErrorCode, UTF-16 URL, aux.
    let mut expected = hex("00000000 00000000");
    expected.extend(utf16z(&url.server_url));
    expected.extend(hex("00000000"));
    assert_eq!(r.body(), expected);

    // GetAddressBookUrl, and through the external host name the external URL.
    let mut body = hex("00000000");
    body.extend(utf16z(&lab.alice.legacy_exchange_dn));
    body.extend(hex("00000000"));
    let spec = n
        .spec("GetAddressBookUrl")
        .body(&body)
        .with("Host", "mail.contoso.com");
    let r = n.run(spec);
    r.expect_code(0);
    let url = mapish_wire::body::Response::<UrlSuccess>::decode(&r.body())
        .unwrap()
        .into_result()
        .unwrap();
    assert_eq!(
        url.server_url,
        format!(
            "https://mail.contoso.com/mapi/nspi/?MailboxId={}@contoso.com",
            lab.alice.guid
        )
    );

    // A request type that is valid but not served: failure body, StatusCode ecNotSupported.
    let r = n.send("ModProps", &[]);
    r.expect_code(0);
    assert_eq!(r.body(), hex("02010480 00000000"));

    // PING and Unbind (T9: UnbindSuccess = 1).
    n.send("PING", &[]).expect_code(0);
    let r = n.send("Unbind", &hex("00000000 00000000"));
    r.expect_code(0);
    assert_eq!(r.body(), hex("00000000 01000000 00000000"));
    assert!(n.cookies.is_empty());
    n.send("PING", &[]).expect_code(13);
}

#[test]
fn mailbox_and_address_book_sessions_stay_apart() {
    let lab = Lab::new();
    let server = lab.start();
    let mut e = Mapi::emsmdb(&server, &lab.alice, ALICE_PASSWORD);
    let mut n = Mapi::nspi(&server, &lab.alice, ALICE_PASSWORD);
    e.connect(&lab.alice.legacy_exchange_dn).expect_code(0);
    n.bind().expect_code(0);
    // A client with a single jar sends both endpoints' cookies to each: each endpoint picks its own.
    let mut shared = e.cookies.clone();
    shared.extend(n.cookies.clone());
    e.cookies = shared.clone();
    n.cookies = shared;
    e.send("PING", &[]).expect_code(0);
    n.send("PING", &[]).expect_code(0);
    // Only the other endpoint's cookie: unknown here.
    let nspi_only: Vec<(String, String)> = n
        .cookies
        .iter()
        .filter(|(k, v)| k == "MapiContext" && v.starts_with("N1."))
        .cloned()
        .collect();
    e.cookies = nspi_only;
    e.send("PING", &[]).expect_code(6);
    // NSPI bodies are checked: a truncated Bind → 12; Bind on a disabled mailbox → 16.
    let mut m = Mapi::nspi(&server, &lab.alice, ALICE_PASSWORD);
    m.send("Bind", &hex("00000000 01")).expect_code(12);
    lab.set_mailbox(lab.alice.guid, |mb| mb.mapi_enabled = false);
    m.bind().expect_code(16);
}

// ---------------------------------------------------------------------------------------------------------
// The NSPI operations over the GAL.

use common::nspi::*;
use mapish_store::Mailbox;
use mapish_wire::nspi::{
    AbCell, AbTaggedValue, CompareMIdsRequest, CompareMIdsSuccess, DnToMIdRequest, DnToMIdSuccess,
    EntryId, GetMatchesRequest, GetMatchesSuccess, GetPropListRequest, GetPropsRequest,
    MID_AMBIGUOUS, MID_END_OF_TABLE, MID_UNRESOLVED, PropertyListSuccess, QueryColumnsRequest,
    Restriction, SeekEntriesRequest, StatRowsSuccess, TagListSuccess, UpdateStatRequest,
    UpdateStatSuccess,
};
use mapish_wire::prop::tags::*;
use mapish_wire::prop::{PropType, PropertyValue};

const STAT_1252: &str =
    "00000000 00000000 00000000 00000000 00000000 00000000 e4040000 09040000 09040000";

fn utf16z_hex(s: &str) -> String {
    utf16z(s).iter().map(|b| format!("{b:02x}")).collect()
}

fn new_mailbox(name: &str, display: &str) -> Mailbox {
    let mut m = Mailbox::new(
        name,
        name.to_lowercase(),
        format!("{}@contoso.com", name.to_lowercase()),
        format!("{}@contoso.com", name.to_lowercase()),
        "Contoso",
        "EX01",
    );
    m.display_name = display.into();
    m
}

#[test]
fn hierarchy_table_byte_for_byte() {
    let lab = Lab::new();
    let server = lab.start();
    let mut n = Mapi::nspi(&server, &lab.alice, ALICE_PASSWORD);
    nspi_bind(&mut n);
    // GetSpecialTable (§2.2.5.8.1): Flags NspiUnicodeStrings, HasState, STAT, HasVersion 0, aux.
    let r = n.send(
        "GetSpecialTable",
        &hex(&format!("04000000 01 {STAT_1252} 00 00000000")),
    );
    r.expect_code(0);
    // Two containers: the GAL (DN "/", DT_GLOBAL, ContainerID 0) and All Users (DN "/guid=…", DT_CONTAINER).
    let all_users_dn = match EntryId::parse(
        match &mapish_wire::nspi::GetSpecialTableResponse::decode(&r.body())
            .unwrap()
            .into_result()
            .unwrap()
            .rows
            .unwrap()[1][0]
            .value
        {
            Some(PropertyValue::Binary(b)) => b,
            other => panic!("{other:?}"),
        },
    )
    .unwrap()
    {
        EntryId::Permanent {
            display_type: 0x100,
            dn,
        } => dn,
        other => panic!("{other:?}"),
    };
    assert!(
        all_users_dn.starts_with("/guid=") && all_users_dn.len() == 6 + 32,
        "{all_users_dn}"
    );
    let dn_hex: String = all_users_dn.bytes().map(|b| format!("{b:02x}")).collect();
    let row = |entry_id_len: &str, display_type: &str, dn: &str, id: &str, name: &str| {
        format!(
            "06000000
             0201ff0f ff {entry_id_len} 00000000 dca740c8c042101ab4b908002b2fe182 01000000 {display_type} {dn} 00
             03000036 09000000
             03000530 00000000
             0300fdff {id}
             1f000130 ff {name}
             0b00fbff 00"
        )
    };
    let expected = hex(&format!(
        "00000000 00000000 e4040000 ff 01000000 ff 02000000 {} {} 00000000",
        row(
            "1e000000",
            "00000200",
            "2f",
            "00000000",
            &utf16z_hex("Global Address List")
        ),
        row(
            "43000000",
            "00010000",
            &dn_hex,
            "10000000",
            &utf16z_hex("All Users")
        ),
    ));
    assert_eq!(r.body(), expected);
    // Without NspiUnicodeStrings the names are PtypString8 in the STAT code page.
    let ansi: mapish_wire::nspi::GetSpecialTableSuccess = nspi_call(
        &mut n,
        "GetSpecialTable",
        &mapish_wire::nspi::GetSpecialTableRequest {
            flags: 0,
            state: Some(stat_1252()),
            version: None,
            aux: vec![],
        },
    );
    let names = &ansi.rows.unwrap()[0][4];
    assert_eq!(names.tag, PID_TAG_DISPLAY_NAME.with_type(PropType::STRING8));
    assert_eq!(
        names.value,
        Some(PropertyValue::String8("Global Address List".into()))
    );
    // Address creation templates are not offered.
    let r = n.send("GetSpecialTable", &hex("02000000 00 00 00000000"));
    assert_eq!(&r.body()[..8], hex("00000000 02010480").as_slice());
}

#[test]
fn query_rows_byte_for_byte() {
    let lab = Lab::new();
    let server = lab.start();
    let mut n = Mapi::nspi(&server, &lab.alice, ALICE_PASSWORD);
    nspi_bind(&mut n);
    // QueryRows (§2.2.5.12.1): Flags 0, STAT at the beginning of the GAL, no explicit table, RowCount 2,
    // columns PidTagDisplayName (Unicode), PidTagObjectType, and PidTagDisplayType as PtypUnspecified (so its
    // value comes typed: PropertyType first, §2.2.1.4).
    let body = hex(&format!(
        "00000000 01 {STAT_1252} 00000000 02000000 01 03000000 1f000130 0300fe0f 00000039 00000000"
    ));
    let r = n.send("QueryRows", &body);
    r.expect_code(0);
    // Both rows, and the STAT at the end of the table: CurrentRec MID_END_OF_TABLE, NumPos 2, TotalRecs 2.
    let expected = hex(&format!(
        "00000000 00000000
         ff 00000000 00000000 02000000 00000000 02000000 02000000 e4040000 09040000 09040000
         ff 03000000 1f000130 0300fe0f 00000039 02000000
         00 ff {} 06000000 0300 00000000
         00 ff {} 06000000 0300 00000000
         00000000",
        utf16z_hex("Alice Example"),
        utf16z_hex("Bob Example"),
    ));
    assert_eq!(r.body(), expected);
    // Row count 0 is InvalidParameter; a container that does not exist InvalidBookmark; a truncated body 12.
    let zero = hex(&format!(
        "00000000 01 {STAT_1252} 00000000 00000000 00 00000000"
    ));
    assert_eq!(
        &n.send("QueryRows", &zero).body()[..8],
        hex("00000000 57000780").as_slice()
    );
    let bad = hex(
        "00000000 01 00000000 77000000 00000000 00000000 00000000 00000000 e4040000 09040000 09040000 00000000 01000000 00 00000000",
    );
    assert_eq!(
        &n.send("QueryRows", &bad).body()[..8],
        hex("00000000 05040480").as_slice()
    );
    n.send("QueryRows", &body[..20]).expect_code(12);
}

#[test]
fn scripted_address_book_session() {
    // The NSPI part of a client's first minute: Bind → QueryRows over the GAL in pages of 2 → ResolveNames
    // of a display name → Unbind.
    let lab = Lab::new();
    let carol = new_mailbox("Carol", "Carol Jones");
    lab.store.update(|tx| tx.put_mailbox(&carol)).unwrap();
    let server = lab.start();
    let mut n = Mapi::nspi(&server, &lab.alice, ALICE_PASSWORD);
    let guid = nspi_bind(&mut n);
    assert_eq!(guid, lab.store.server("EX01").unwrap().unwrap().guid);
    let gal = gal_in_pages(&mut n, 2);
    let names: Vec<&str> = gal.iter().map(|r| r.display_name.as_str()).collect();
    assert_eq!(names, ["Alice Example", "Bob Example", "Carol Jones"]);
    assert_eq!(gal[1].dn, lab.bob.legacy_exchange_dn);
    assert_eq!(gal[2].smtp, "carol@contoso.com");
    let (mid, row) = resolve_name(&mut n, "Bob Example");
    assert!(mid >= 0x10, "a real MID, not a reserved value: {mid:#x}");
    assert_eq!(row.unwrap().smtp, "bob@contoso.com");
    nspi_unbind(&mut n);
}

#[test]
fn the_gal_of_new_binds_follows_the_store() {
    let lab = Lab::new();
    let server = lab.start();
    let mut first = Mapi::nspi(&server, &lab.alice, ALICE_PASSWORD);
    nspi_bind(&mut first);
    let names = |rows: Vec<GalRow>| rows.into_iter().map(|r| r.display_name).collect::<Vec<_>>();
    assert_eq!(
        names(gal_in_pages(&mut first, 2)),
        ["Alice Example", "Bob Example"]
    );

    // A mailbox created in the shell: in the next Bind's GAL at once; the open session keeps its snapshot.
    let carol = new_mailbox("Carol", "Aaron Carol");
    lab.store.update(|tx| tx.put_mailbox(&carol)).unwrap();
    // A health mailbox is hidden from the address book.
    let mut health = new_mailbox("HealthMailbox0123", "HealthMailbox0123");
    health.is_health_mailbox = true;
    lab.store.update(|tx| tx.put_mailbox(&health)).unwrap();
    let mut second = Mapi::nspi(&server, &lab.alice, ALICE_PASSWORD);
    nspi_bind(&mut second);
    assert_eq!(
        names(gal_in_pages(&mut second, 2)),
        ["Aaron Carol", "Alice Example", "Bob Example"]
    );
    assert_eq!(
        names(gal_in_pages(&mut first, 2)),
        ["Alice Example", "Bob Example"]
    );
    assert_eq!(
        resolve_name(&mut second, "HealthMailbox0123").0,
        MID_UNRESOLVED
    );

    // A removed mailbox leaves the GAL of the next Bind.
    lab.store
        .update(|tx| tx.delete_mailbox(lab.bob.guid))
        .unwrap();
    let mut third = Mapi::nspi(&server, &lab.alice, ALICE_PASSWORD);
    nspi_bind(&mut third);
    assert_eq!(
        names(gal_in_pages(&mut third, 2)),
        ["Aaron Carol", "Alice Example"]
    );
    assert_eq!(resolve_name(&mut third, "Bob Example").0, MID_UNRESOLVED);
    assert_ne!(resolve_name(&mut second, "Bob Example").0, MID_UNRESOLVED);
}

#[test]
fn every_nspi_operation_over_http() {
    let lab = Lab::new();
    let bobby = new_mailbox("Bobby", "Bobby Tables");
    lab.store.update(|tx| tx.put_mailbox(&bobby)).unwrap();
    let server = lab.start();
    let mut n = Mapi::nspi(&server, &lab.alice, ALICE_PASSWORD);
    let server_guid = nspi_bind(&mut n);
    let stat = stat_1252();

    // DNToMId: MIDs by LegacyExchangeDN, 0 for an unknown DN.
    let dn: DnToMIdSuccess = nspi_call(
        &mut n,
        "DNToMId",
        &DnToMIdRequest {
            reserved: 0,
            names: Some(vec![
                lab.bob.legacy_exchange_dn.to_uppercase(),
                "/o=Nowhere/cn=x".into(),
            ]),
            aux: vec![],
        },
    );
    let mids = dn.mids.unwrap();
    let bob_mid = mids[0];
    assert!(bob_mid >= 0x10);
    assert_eq!(mids[1], 0);

    // ResolveNames: resolved, ambiguous and unresolved in one call (ANR by prefix and by address).
    let resolved: mapish_wire::nspi::ResolveNamesSuccess = nspi_call(
        &mut n,
        "ResolveNames",
        &mapish_wire::nspi::ResolveNamesRequest {
            reserved: 0,
            state: Some(stat),
            tags: None,
            names: Some(vec!["bob@contoso.com".into(), "bo".into(), "zed".into()]),
            aux: vec![],
        },
    );
    assert_eq!(
        resolved.mids,
        Some(vec![bob_mid, MID_AMBIGUOUS, MID_UNRESOLVED])
    );
    let rows = resolved.rows.unwrap();
    assert_eq!(rows.rows.len(), 1);
    // Default columns: PidTagDisplayName as PtypString8 in the STAT code page.
    assert_eq!(
        rows.columns[3],
        PID_TAG_DISPLAY_NAME.with_type(PropType::STRING8)
    );
    assert_eq!(
        rows.rows[0].cells[3],
        AbCell::Value(PropertyValue::String8("Bob Example".into()))
    );

    // GetProps at CurrentRec = Bob, with fEphID: the Ephemeral Entry ID names this server and the MID.
    let props: PropertyListSuccess = nspi_call(
        &mut n,
        "GetProps",
        &GetPropsRequest {
            flags: mapish_wire::nspi::FLAG_EPH_ID,
            state: Some(mapish_wire::nspi::Stat {
                current_rec: bob_mid,
                ..stat
            }),
            tags: Some(vec![
                PID_TAG_ENTRY_ID,
                PID_TAG_SMTP_ADDRESS,
                PID_TAG_ADDRESS_BOOK_PROXY_ADDRESSES,
                PID_TAG_DEPARTMENT_NAME,
            ]),
            aux: vec![],
        },
    );
    assert_eq!(
        props.error_code, 0x0004_0380,
        "ErrorsReturned: no department"
    );
    let values = props.values.unwrap();
    let Some(PropertyValue::Binary(eid)) = &values[0].value else {
        panic!("{values:?}")
    };
    assert_eq!(
        EntryId::parse(eid).unwrap(),
        EntryId::Ephemeral {
            server_guid,
            display_type: 0,
            mid: bob_mid
        }
    );
    assert_eq!(
        values[1].value,
        Some(PropertyValue::String("bob@contoso.com".into()))
    );
    assert_eq!(
        values[2].value,
        Some(PropertyValue::MultipleString(vec![
            "SMTP:bob@contoso.com".into()
        ]))
    );
    assert_eq!(
        values[3].tag,
        PID_TAG_DEPARTMENT_NAME.with_type(PropType::ERROR_CODE)
    );
    // Without fEphID the Permanent Entry ID carries the DN.
    let props: PropertyListSuccess = nspi_call(
        &mut n,
        "GetProps",
        &GetPropsRequest {
            flags: 0,
            state: Some(mapish_wire::nspi::Stat {
                current_rec: bob_mid,
                ..stat
            }),
            tags: Some(vec![PID_TAG_ENTRY_ID]),
            aux: vec![],
        },
    );
    let Some(PropertyValue::Binary(eid)) = &props.values.unwrap()[0].value else {
        panic!()
    };
    assert_eq!(
        EntryId::parse(eid).unwrap(),
        EntryId::Permanent {
            display_type: 0,
            dn: lab.bob.legacy_exchange_dn.clone()
        }
    );

    // GetPropList (§2.2.5.6.1 bytes): Flags 0, MinimalId, CodePage 1252 → PtypString8 tags.
    let mut body = hex("00000000");
    body.extend(bob_mid.to_le_bytes());
    body.extend(hex("e4040000 00000000"));
    let r = n.send("GetPropList", &body);
    r.expect_code(0);
    let list = mapish_wire::nspi::GetPropListResponse::decode(&r.body())
        .unwrap()
        .into_result()
        .unwrap();
    let tags = list.tags.unwrap();
    assert!(tags.contains(&PID_TAG_DISPLAY_NAME.with_type(PropType::STRING8)));
    assert!(tags.contains(&PID_TAG_ENTRY_ID));
    let unknown: TagListSuccess = nspi_call(
        &mut n,
        "GetPropList",
        &GetPropListRequest {
            flags: 0,
            mid: 0x7777,
            code_page: 1252,
            aux: vec![],
        },
    );
    assert_eq!(unknown.error_code, 0x8004_0108, "InvalidObject");

    // QueryColumns (§2.2.5.11.1 bytes): Reserved, MapiFlags NspiUnicodeProptypes.
    let r = n.send("QueryColumns", &hex("00000000 00000080 00000000"));
    r.expect_code(0);
    let cols = mapish_wire::nspi::QueryColumnsResponse::decode(&r.body())
        .unwrap()
        .into_result()
        .unwrap();
    assert!(cols.tags.unwrap().contains(&PID_TAG_SMTP_ADDRESS));
    let cols8: TagListSuccess = nspi_call(&mut n, "QueryColumns", &QueryColumnsRequest::default());
    assert!(
        cols8
            .tags
            .unwrap()
            .contains(&PID_TAG_SMTP_ADDRESS.with_type(PropType::STRING8))
    );

    // SeekEntries to "Bobby": the position moves there and the rows from there come back.
    let seek: StatRowsSuccess = nspi_call(
        &mut n,
        "SeekEntries",
        &SeekEntriesRequest {
            reserved: 0,
            state: Some(stat),
            target: Some(AbTaggedValue::new(
                PID_TAG_DISPLAY_NAME,
                PropertyValue::String("bobby".into()),
            )),
            explicit_table: None,
            columns: Some(vec![PID_TAG_DISPLAY_NAME]),
            aux: vec![],
        },
    );
    assert_eq!(seek.error_code, 0);
    let seek_stat = seek.state.unwrap();
    assert_eq!((seek_stat.num_pos, seek_stat.total_recs), (2, 3));
    assert_eq!(
        seek.rows.unwrap().rows[0].cells[0],
        AbCell::Value(PropertyValue::String("Bobby Tables".into()))
    );

    // UpdateStat: from Bobby, Delta -5 → the beginning; moved by -2.
    let moved: UpdateStatSuccess = nspi_call(
        &mut n,
        "UpdateStat",
        &UpdateStatRequest {
            reserved: 0,
            state: Some(mapish_wire::nspi::Stat {
                delta: -5,
                ..seek_stat
            }),
            delta_requested: true,
            aux: vec![],
        },
    );
    assert_eq!(moved.delta, Some(-2));
    let s = moved.state.unwrap();
    assert_eq!((s.num_pos, s.delta), (0, 0));

    // CompareMIds: Bob comes before Bobby.
    let bobby_mid = seek_stat.current_rec;
    let cmp: CompareMIdsSuccess = nspi_call(
        &mut n,
        "CompareMIds",
        &CompareMIdsRequest {
            reserved: 0,
            state: Some(stat),
            mid1: bob_mid,
            mid2: bobby_mid,
            aux: vec![],
        },
    );
    assert!(cmp.error_code == 0 && cmp.result < 0, "{cmp:?}");

    // GetMatches with a content restriction (prefix, ignore case) on PidTagDisplayName, and with none.
    let filter = Restriction::Content {
        fuzzy_level: mapish_wire::nspi::restriction::fuzzy::PREFIX
            | mapish_wire::nspi::restriction::fuzzy::IGNORECASE,
        tag: PID_TAG_DISPLAY_NAME,
        value: AbTaggedValue::new(PID_TAG_DISPLAY_NAME, PropertyValue::String("BOB".into())),
    };
    let matched: GetMatchesSuccess = nspi_call(
        &mut n,
        "GetMatches",
        &GetMatchesRequest {
            reserved: 0,
            state: Some(stat),
            mids: None,
            interface_option_flags: 0,
            filter: Some(filter),
            property_name: None,
            row_count: 50,
            columns: Some(vec![PID_TAG_ACCOUNT]),
            aux: vec![],
        },
    );
    assert_eq!(matched.mids, Some(vec![bob_mid, bobby_mid]));
    let accounts: Vec<AbCell> = matched
        .rows
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.cells[0].clone())
        .collect();
    assert_eq!(
        accounts,
        [
            AbCell::Value(PropertyValue::String("bob".into())),
            AbCell::Value(PropertyValue::String("bobby".into()))
        ]
    );
    let all: GetMatchesSuccess = nspi_call(
        &mut n,
        "GetMatches",
        &GetMatchesRequest {
            state: Some(stat),
            row_count: 50,
            ..GetMatchesRequest::default()
        },
    );
    assert_eq!(all.mids.unwrap().len(), 3);
    // ResortRestriction (§2.2.5.13.1 bytes): the explicit table back in display-name order.
    let mut body = hex(&format!("00000000 01 {STAT_1252} 01 02000000"));
    body.extend(bobby_mid.to_le_bytes());
    body.extend(bob_mid.to_le_bytes());
    body.extend(hex("00000000"));
    let r = n.send("ResortRestriction", &body);
    r.expect_code(0);
    let resorted = mapish_wire::nspi::ResortRestrictionResponse::decode(&r.body())
        .unwrap()
        .into_result()
        .unwrap();
    assert_eq!(resorted.mids, Some(vec![bob_mid, bobby_mid]));
    assert_eq!(resorted.state.unwrap().total_recs, 2);
    // A restriction mapish does not evaluate is TooComplex.
    let too_complex: GetMatchesSuccess = nspi_call(
        &mut n,
        "GetMatches",
        &GetMatchesRequest {
            state: Some(stat),
            filter: Some(Restriction::Size {
                relop: 2,
                tag: PID_TAG_DISPLAY_NAME,
                size: 4,
            }),
            row_count: 50,
            ..GetMatchesRequest::default()
        },
    );
    assert_eq!(too_complex.error_code, 0x8004_0117);

    // QueryRows over an explicit table (the GetMatches result), in the order given.
    let explicit: StatRowsSuccess = nspi_call(
        &mut n,
        "QueryRows",
        &mapish_wire::nspi::QueryRowsRequest {
            flags: 0,
            state: Some(stat),
            explicit_table: vec![bobby_mid, bob_mid],
            row_count: 10,
            columns: Some(vec![PID_TAG_ACCOUNT]),
            aux: vec![],
        },
    );
    let accounts: Vec<AbCell> = explicit
        .rows
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.cells[0].clone())
        .collect();
    assert_eq!(
        accounts,
        [
            AbCell::Value(PropertyValue::String("bobby".into())),
            AbCell::Value(PropertyValue::String("bob".into()))
        ]
    );

    // GetTemplateInfo (§2.2.5.9.1 bytes): TI_TEMPLATE for DT_MAILUSER, locale 0x409: no templates here →
    // InvalidLocale, CodePage echoed, no row.
    let r = n.send(
        "GetTemplateInfo",
        &hex("01000000 00000000 00 e4040000 09040000 00000000"),
    );
    r.expect_code(0);
    assert_eq!(r.body(), hex("00000000 1f010480 e4040000 00 00000000"));

    // The All Users list holds the same users; the end of its table is reached as in the GAL.
    let all_users: StatRowsSuccess = nspi_call(
        &mut n,
        "QueryRows",
        &mapish_wire::nspi::QueryRowsRequest {
            flags: 0,
            state: Some(mapish_wire::nspi::Stat {
                container_id: 0x10,
                ..stat
            }),
            explicit_table: vec![],
            row_count: 10,
            columns: Some(vec![PID_TAG_DISPLAY_NAME]),
            aux: vec![],
        },
    );
    assert_eq!(all_users.rows.unwrap().rows.len(), 3);
    assert_eq!(all_users.state.unwrap().current_rec, MID_END_OF_TABLE);

    // Every request rotated the sequence cookie; a request without the session is refused.
    let mut stranger = Mapi::nspi(&server, &lab.alice, ALICE_PASSWORD);
    stranger
        .send(
            "QueryRows",
            &hex(&format!(
                "00000000 01 {STAT_1252} 00000000 02000000 00 00000000"
            )),
        )
        .expect_code(13);
}

#[test]
fn ruler_abk_list_bodies() {
    // What ruler (sensepost) sends for `abk list`, byte for byte (mapi/mapi-abk.go): BIND in capitals with
    // HasState 0xFF and SortLocale 0x809; GetSpecialTable with flags 4, a junk ContainerID and Version 0;
    // QueryRows from the beginning with TotalRecs 0xFFFFFFFF, RowCount 100, PidTagDisplayName and
    // PidTagSmtpAddress. ruler reads Has… bytes as present only when 0xFF, and parses only standard rows.
    let lab = Lab::new();
    let server = lab.start();
    let mut n = Mapi::nspi(&server, &lab.alice, ALICE_PASSWORD);
    let r = n.send(
        "BIND",
        &hex("00000000 ff 00000000 00000000 00000000 00000000 00000000 00000000 e4040000 09040000 09080000 00000000"),
    );
    r.expect_code(0);
    assert_eq!(&r.body()[..8], hex("00000000 00000000").as_slice());
    let r = n.send(
        "GetSpecialTable",
        &hex("04000000 ff 00000000 10c96301 00000000 00000000 00000000 00000000 e4040000 09040000 09080000 ff 00000000 00000000"),
    );
    r.expect_code(0);
    let body = r.body();
    // StatusCode, ErrorCode, CodePage, HasVersion 0xFF + Version, HasRows 0xFF + 2 rows.
    assert_eq!(
        &body[..22],
        hex("00000000 00000000 e4040000 ff 01000000 ff 02000000").as_slice()
    );
    let r = n.send(
        "QueryRows",
        &hex("00000000 ff 00000000 00000000 00000000 00000000 00000000 ffffffff e4040000 09040000 09080000 00000000 64000000 ff 02000000 1f000130 1f00fe39 00000000"),
    );
    r.expect_code(0);
    let body = r.body();
    assert_eq!(&body[..9], hex("00000000 00000000 ff").as_slice());
    assert_eq!(body[45], 0xFF, "HasColsAndRows");
    let mut expected_rows = hex("02000000 1f000130 1f00fe39 02000000");
    for (name, smtp) in [
        ("Alice Example", "alice@contoso.com"),
        ("Bob Example", "bob@contoso.com"),
    ] {
        expected_rows.extend(hex("00 ff"));
        expected_rows.extend(utf16z(name));
        expected_rows.push(0xFF);
        expected_rows.extend(utf16z(smtp));
    }
    expected_rows.extend(hex("00000000"));
    assert_eq!(&body[46..], expected_rows.as_slice());
}

#[test]
fn string8_values_follow_the_stat_code_page() {
    // PtypString8 columns come in the STAT's code page; PtypString columns in UTF-16 whatever the code page.
    let lab = Lab::new();
    lab.store
        .update(|tx| tx.put_mailbox(&new_mailbox("Zoe", "Zoë Ärger")))
        .unwrap();
    let server = lab.start();
    let mut n = Mapi::nspi(&server, &lab.alice, ALICE_PASSWORD);
    nspi_bind(&mut n);
    let zoe = |n: &mut Mapi, code_page: u32, tag: mapish_wire::prop::PropTag| -> Vec<u8> {
        let mut stat = stat_1252();
        stat.code_page = code_page;
        stat.delta = 2; // Alice, Bob, then Zoë
        let r = n.send(
            "QueryRows",
            &mapish_wire::nspi::QueryRowsRequest {
                flags: 0,
                state: Some(stat),
                explicit_table: vec![],
                row_count: 1,
                columns: Some(vec![tag]),
                aux: vec![],
            }
            .encode()
            .unwrap(),
        );
        r.expect_code(0);
        let body = r.body();
        // StatusCode, ErrorCode, HasState, STAT, HasColumnsAndRows, 1 column, RowCount 1, row Flags 0.
        assert_eq!(body[45], 0xFF);
        assert_eq!(
            &body[46..54],
            hex("01000000")
                .iter()
                .chain(&tag.0.to_le_bytes())
                .copied()
                .collect::<Vec<_>>()
                .as_slice()
        );
        assert_eq!(&body[54..59], hex("01000000 00").as_slice());
        body[59..body.len() - 4].to_vec()
    };
    let string8 = PID_TAG_DISPLAY_NAME.with_type(PropType::STRING8);
    assert_eq!(
        zoe(&mut n, 1252, string8),
        hex("ff 5a6feb 20 c4726765 72 00")
    );
    assert_eq!(
        zoe(&mut n, 65001, string8),
        hex("ff 5a6fc3ab 20 c3847267 6572 00")
    );
    assert_eq!(
        zoe(&mut n, 20127, string8),
        hex("ff 5a6f3f 20 3f726765 72 00")
    );
    let mut unicode = vec![0xFF];
    unicode.extend(utf16z("Zoë Ärger"));
    assert_eq!(zoe(&mut n, 1252, PID_TAG_DISPLAY_NAME), unicode);
}
