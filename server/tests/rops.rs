//! Every ROP mapish serves, over real HTTP on 127.0.0.1, with request bodies written as MS-OXCROPS byte
//! layouts: responses are checked byte for byte where the layout is fixed and by decoding where it is data.
//! Also the handle-table rules (ecNullObject), RopBufferTooSmall, and answers to what is not served.

mod common;

use std::collections::HashMap;

use common::rops::{decoded, execute, execute_raw};
use common::*;
use mapish_wire::buf::Codec;
use mapish_wire::emsmdb::ExecuteResponse;
use mapish_wire::prop::tags::*;
use mapish_wire::prop::{PropTag, PropertyValue};
use mapish_wire::rop::logon::PrivateLogon;
use mapish_wire::rop::{self, LogonResponse, RopBuffer, RopResponse};

const FREE: u32 = 0xFFFF_FFFF;

fn logon_rop(dn: &str) -> Vec<u8> {
    let mut logon = hex("fe 00 00 01 00000001 00000000");
    logon.extend(u16::try_from(dn.len() + 1).unwrap().to_le_bytes());
    logon.extend(dn.as_bytes());
    logon.push(0);
    logon
}

/// Connects as alice and logs on; the client, the logon's handle and its response fields.
fn logged_on(lab: &Lab, server: &Server) -> (Mapi, u32, PrivateLogon) {
    let mut c = Mapi::emsmdb(server, &lab.alice, ALICE_PASSWORD);
    c.connect(&lab.alice.legacy_exchange_dn).expect_code(0);
    let (out, handles) = execute(&mut c, &logon_rop(&lab.alice.legacy_exchange_dn), &[FREE]);
    let responses = rop::parse_responses(&out).unwrap();
    let [RopResponse::Logon(LogonResponse::Private { logon, .. })] = responses.as_slice() else {
        panic!("logon failed: {out:02x?}")
    };
    (c, handles[0], (**logon).clone())
}

fn fid(gc: u8) -> Vec<u8> {
    let mut v = hex("0100 0000000000");
    v.push(gc);
    v
}

#[test]
fn logon_object_rops() {
    let lab = Lab::new();
    let server = lab.start();
    let (mut c, h, logon) = logged_on(&lab, &server);
    let repl_guid = logon.repl_guid.to_bytes_le();

    // RopGetReceiveFolder("IPM.Note") → Inbox, registered for "IPM"; "" → Inbox, "" (§2.2.3.2);
    // "IPC.Foo" → the Root; a malformed class → ecInvalidParameter.
    let rops = hex("27 00 00 49504d2e4e6f746500
         27 00 00 00
         27 00 00 4950432e466f6f00
         27 00 00 2e4950 4d00");
    let (out, _) = execute(&mut c, &rops, &[h]);
    let mut expected = hex("27 00 00000000");
    expected.extend(fid(0x0d));
    expected.extend(hex("49504d00"));
    expected.extend(hex("27 00 00000000"));
    expected.extend(fid(0x0d));
    expected.extend(hex("00"));
    expected.extend(hex("27 00 00000000"));
    expected.extend(fid(0x01));
    expected.extend(hex("49504300"));
    expected.extend(hex("27 00 57000780"));
    assert_eq!(out, expected);

    // RopGetStoreState, RopGetPerUserLongTermIds (none), RopLongTermIdFromId(Inbox) and back.
    let mut rops = hex("7b 00 00  60 00 00");
    rops.extend([0u8; 16]);
    rops.extend(hex("43 00 00"));
    rops.extend(fid(0x0d));
    rops.extend(hex("44 00 00"));
    rops.extend(repl_guid);
    rops.extend(hex("00000000000d 0000"));
    // An unknown replica GUID is not found.
    rops.extend(hex("44 00 00"));
    rops.extend([0x11u8; 16]);
    rops.extend(hex("00000000000d 0000"));
    let (out, _) = execute(&mut c, &rops, &[h]);
    let mut expected = hex("7b 00 00000000 00000000  60 00 00000000 0000  43 00 00000000");
    expected.extend(repl_guid);
    expected.extend(hex("00000000000d 0000"));
    expected.extend(hex("44 00 00000000"));
    expected.extend(fid(0x0d));
    expected.extend(hex("44 00 0f010480"));
    assert_eq!(out, expected);

    // RopRegisterNotification for the whole store: a Notify object in slot 1.
    let (out, handles) = execute(&mut c, &hex("29 00 00 01 06 00 01"), &[h, FREE]);
    assert_eq!(out, hex("29 01 00000000"));
    assert_ne!(handles[1], FREE);
    // For a folder that does not exist: ecNotFound and the slot stays free.
    let mut rops = hex("29 00 00 01 06 00 00");
    rops.extend(fid(0x77));
    rops.extend([0u8; 8]);
    let (out, handles) = execute(&mut c, &rops, &[h, FREE]);
    assert_eq!(out, hex("29 01 0f010480"));
    assert_eq!(handles[1], FREE);

    // RopGetPropertiesSpecific on the logon: the owner's name and the store support mask.
    let (responses, _) = decoded(
        &mut c,
        &hex("07 00 00 0000 0100 0300 1f001c66 03000d34 0201e035"),
        &[h],
        &HashMap::new(),
    );
    let RopResponse::GetPropertiesSpecific(props) = &responses[0] else {
        panic!()
    };
    assert_eq!(
        props.row.values[0],
        Some(PropertyValue::String("Alice Example".into()))
    );
    assert!(
        matches!(props.row.values[1], Some(PropertyValue::Integer32(mask)) if mask & 0x0004_0000 != 0)
    );
    // PidTagIpmSubtreeEntryId: a 46-byte Folder EntryID ending in the subtree's counter.
    let Some(PropertyValue::Binary(eid)) = &props.row.values[2] else {
        panic!()
    };
    assert_eq!(eid.len(), 46);
    assert_eq!(&eid[4..20], lab.alice.guid.to_bytes_le().as_slice());
    assert_eq!(&eid[20..22], hex("0100").as_slice());
    assert_eq!(&eid[22..38], repl_guid.as_slice());
    assert_eq!(&eid[38..], hex("000000000009 0000").as_slice());

    // RopGetPropertiesAll (PtypString8 strings) and RopGetPropertiesList on the logon.
    let (responses, _) = decoded(
        &mut c,
        &hex("08 00 00 0000 0000  09 00 00"),
        &[h],
        &HashMap::new(),
    );
    let RopResponse::GetPropertiesAll(all) = &responses[0] else {
        panic!()
    };
    let owner = all
        .values
        .iter()
        .find(|v| v.tag.id() == PID_TAG_MAILBOX_OWNER_NAME.id())
        .unwrap();
    assert_eq!(owner.value, PropertyValue::String8("Alice Example".into()));
    let RopResponse::GetPropertiesList(list) = &responses[1] else {
        panic!()
    };
    assert_eq!(list.tags.len(), all.values.len());
    for tag in [
        PID_TAG_USER_ENTRY_ID,
        PID_TAG_IPM_WASTEBASKET_ENTRY_ID,
        PID_TAG_FINDER_ENTRY_ID,
    ] {
        assert!(list.tags.contains(&tag), "{tag}");
    }
}

#[test]
fn folder_properties_and_errors() {
    let lab = Lab::new();
    let server = lab.start();
    let (mut c, h, _) = logged_on(&lab, &server);

    // Open Calendar (0x0f) into slot 1 and read it all; GetPropertiesList lists the same tags.
    let mut rops = hex("02 00 00 01");
    rops.extend(fid(0x0f));
    rops.extend(hex("00  08 00 01 0000 0100  09 00 01"));
    let (responses, handles) = decoded(&mut c, &rops, &[h, FREE], &HashMap::new());
    assert_eq!(responses[0].encode().unwrap(), hex("02 01 00000000 00 00"));
    let RopResponse::GetPropertiesAll(all) = &responses[1] else {
        panic!()
    };
    let get = |tag: PropTag| {
        all.values
            .iter()
            .find(|v| v.tag.id() == tag.id())
            .map(|v| v.value.clone())
    };
    assert_eq!(
        get(PID_TAG_DISPLAY_NAME),
        Some(PropertyValue::String("Calendar".into()))
    );
    assert_eq!(
        get(PID_TAG_CONTAINER_CLASS),
        Some(PropertyValue::String("IPF.Appointment".into()))
    );
    assert_eq!(get(PID_TAG_FOLDER_TYPE), Some(PropertyValue::Integer32(1)));
    assert_eq!(get(PID_TAG_SUBFOLDERS), Some(PropertyValue::Boolean(false)));
    assert_eq!(
        get(PID_TAG_FOLDER_CHILD_COUNT),
        Some(PropertyValue::Integer32(0))
    );
    assert_eq!(
        get(PID_TAG_ATTRIBUTE_HIDDEN),
        Some(PropertyValue::Boolean(false))
    );
    let parent = i64::from_le_bytes(fid(0x09).try_into().unwrap());
    assert_eq!(
        get(PID_TAG_PARENT_FOLDER_ID),
        Some(PropertyValue::Integer64(parent))
    );
    let Some(PropertyValue::Binary(source_key)) = get(PID_TAG_SOURCE_KEY) else {
        panic!()
    };
    assert_eq!(&source_key[16..], hex("00000000000f").as_slice());
    let Some(PropertyValue::Time(created)) = get(PID_TAG_CREATION_TIME) else {
        panic!()
    };
    assert!(created > 116_444_736_000_000_000);
    let RopResponse::GetPropertiesList(list) = &responses[2] else {
        panic!()
    };
    assert_eq!(list.tags.len(), all.values.len());
    let calendar = handles[1];

    // Handle-table rules: an input slot out of range, an unused slot, a released handle → ecNullObject.
    let mut rops = hex("02 00 07 01");
    rops.extend(fid(0x0d));
    rops.push(0);
    rops.extend(hex("07 00 01 0000 0100 0100 1f000130"));
    let (out, _) = execute(&mut c, &rops, &[h, FREE]);
    assert_eq!(out, hex("02 01 b9040000  07 01 b9040000"));
    let (out, _) = execute(
        &mut c,
        &hex("01 00 00  07 00 00 0000 0100 0100 1f000130"),
        &[calendar],
    );
    assert_eq!(out, hex("07 00 b9040000"));

    // Opening a folder that does not exist, or by another replica id: ecNotFound. A table ROP on the
    // logon: ecNotSupported.
    let rops = hex("02 00 00 01 0100 000000000077 00
         02 00 00 01 0200 00000000000d 00
         12 00 00 00 0100 1f000130");
    let (out, handles) = execute(&mut c, &rops, &[h, FREE]);
    assert_eq!(out, hex("02 01 0f010480  02 01 0f010480  12 00 02010480"));
    assert_eq!(handles, [h, FREE]);
}

#[test]
fn hierarchy_table_with_depth_sort_restrict_seek_and_position() {
    let lab = Lab::new();
    let server = lab.start();
    let (mut c, h, _) = logged_on(&lab, &server);

    // The Root (slot 1), its hierarchy table with Depth (slot 2): 18 folders below the root.
    let mut rops = hex("02 00 00 01");
    rops.extend(fid(0x01));
    rops.extend(hex("00  04 00 01 02 44"));
    let (out, handles) = execute(&mut c, &rops, &[h, FREE, FREE]);
    assert_eq!(out, hex("02 01 00000000 00 00  04 02 00000000 12000000"));
    let t = handles[2];

    // QueryRows before SetColumns: ecNullObject (MS-OXCTABL §3.2.5.5).
    let (out, _) = execute(&mut c, &hex("15 00 00 00 01 0a00"), &[t]);
    assert_eq!(out, hex("15 00 b9040000"));

    // Columns: name and depth; sort by name descending; read 3 rows.
    let columns = vec![PID_TAG_DISPLAY_NAME, PID_TAG_DEPTH];
    let known = HashMap::from([(0u8, columns.clone())]);
    let rops = hex("12 00 00 00 0200 1f000130 03000530
         13 00 00 00 0100 0000 0000 1f000130 01
         15 00 00 00 01 0300
         17 00 00");
    let (responses, _) = decoded(&mut c, &rops, &[t], &known);
    assert_eq!(responses[1].encode().unwrap(), hex("13 00 00000000 00"));
    let RopResponse::QueryRows(q) = &responses[2] else {
        panic!()
    };
    assert_eq!(q.origin, 1, "BOOKMARK_CURRENT");
    let names: Vec<_> = q.rows.iter().map(|r| r.values[0].clone()).collect();
    assert_eq!(
        names,
        ["Views", "Top of Information Store", "Tasks"]
            .map(|s| Some(PropertyValue::String(s.into())))
    );
    assert_eq!(q.rows[1].values[1], Some(PropertyValue::Integer32(0)));
    assert_eq!(
        q.rows[2].values[1],
        Some(PropertyValue::Integer32(1)),
        "Tasks is below the subtree"
    );
    assert_eq!(
        responses[3].encode().unwrap(),
        hex("17 00 00000000 03000000 12000000")
    );

    // RopSeekRow: back 5 from the current row (only 3 possible), then forward 4 from the beginning;
    // a backward read of 2 returns the two rows before the cursor in table order.
    let rops = hex("18 00 00 01 fbffffff 01
         18 00 00 00 04000000 01
         15 00 00 00 00 0200
         17 00 00");
    let (responses, _) = decoded(&mut c, &rops, &[t], &known);
    assert_eq!(
        responses[0].encode().unwrap(),
        hex("18 00 00000000 01 fdffffff")
    );
    assert_eq!(
        responses[1].encode().unwrap(),
        hex("18 00 00000000 00 04000000")
    );
    let RopResponse::QueryRows(q) = &responses[2] else {
        panic!()
    };
    let names: Vec<_> = q.rows.iter().map(|r| r.values[0].clone()).collect();
    assert_eq!(
        names,
        ["Tasks", "Spooler Queue"].map(|s| Some(PropertyValue::String(s.into())))
    );
    assert_eq!(
        responses[3].encode().unwrap(),
        hex("17 00 00000000 02000000 12000000")
    );

    // RopRestrict: PidTagContainerClass = "IPF.Note" (a PropertyRestriction, MS-OXCDATA §2.12.5), sorted
    // by name descending still; the cursor is back at the beginning.
    let mut restriction = hex("04 04 1f001336 1f001336");
    restriction.extend(
        "IPF.Note"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .chain([0, 0]),
    );
    let mut rops = hex("14 00 00 00");
    rops.extend(u16::try_from(restriction.len()).unwrap().to_le_bytes());
    rops.extend(&restriction);
    rops.extend(hex("15 00 00 00 01 6400"));
    let (responses, _) = decoded(&mut c, &rops, &[t], &known);
    assert_eq!(responses[0].encode().unwrap(), hex("14 00 00000000 00"));
    let RopResponse::QueryRows(q) = &responses[1] else {
        panic!()
    };
    assert_eq!(q.origin, 2);
    let names: Vec<_> = q.rows.iter().map(|r| r.values[0].clone()).collect();
    assert_eq!(
        names,
        ["Sent Items", "Outbox", "Inbox", "Drafts", "Deleted Items"]
            .map(|s| Some(PropertyValue::String(s.into())))
    );

    // And(Exist(PidTagContainerClass), Not(Content(PidTagDisplayName, substring|ignorecase, "o"))):
    // the classed folders whose name has no "o".
    let mut restriction = hex("00 0200 08 1f001336 02 03 0100 0100 1f000130 1f000130");
    restriction.extend(hex("6f00 0000"));
    let mut rops = hex("14 00 00 00");
    rops.extend(u16::try_from(restriction.len()).unwrap().to_le_bytes());
    rops.extend(&restriction);
    rops.extend(hex("15 00 00 00 01 6400"));
    let (responses, _) = decoded(&mut c, &rops, &[t], &known);
    let RopResponse::QueryRows(q) = &responses[1] else {
        panic!()
    };
    let names: Vec<_> = q.rows.iter().map(|r| r.values[0].clone()).collect();
    assert_eq!(
        names,
        ["Tasks", "Sent Items", "Drafts", "Deleted Items", "Calendar"]
            .map(|s| Some(PropertyValue::String(s.into())))
    );

    // A CountRestriction is not evaluated: ecTooComplex. A RestrictionDataSize of 0 removes the restriction.
    let (out, _) = execute(
        &mut c,
        &hex("14 00 00 00 0a00 0b 01000000 08 1f000130  14 00 00 00 0000  17 00 00"),
        &[t],
    );
    assert_eq!(
        out,
        hex("14 00 17010480  14 00 00000000 00  17 00 00000000 00000000 12000000")
    );

    // QueryRows with NoAdvance leaves the cursor where it was.
    let (out, _) = execute(&mut c, &hex("15 00 00 01 01 0100  17 00 00"), &[t]);
    assert!(out.ends_with(&hex("17 00 00000000 00000000 12000000")));
}

#[test]
fn output_limits_public_logon_and_unknown_rops() {
    let lab = Lab::new();
    let server = lab.start();
    let (mut c, h, _) = logged_on(&lab, &server);

    // A public-folder logon (LogonFlags 0): ecLoginFailure, 6 bytes, the slot stays free.
    let (out, handles) = execute(
        &mut c,
        &hex("fe 00 01 00 02000001 00000000 0000"),
        &[h, FREE],
    );
    assert_eq!(out, hex("fe 01 11010480"));
    assert_eq!(handles, [h, FREE]);
    // A private logon without USE_PER_MDB_REPLID_MAPPING: ecInvalidParameter (MS-OXCSTOR §3.2.5.1.3).
    let mut no_mapping = logon_rop(&lab.alice.legacy_exchange_dn);
    no_mapping[4..8].copy_from_slice(&[0, 0, 0, 0]);
    let (out, _) = execute(&mut c, &no_mapping, &[FREE]);
    assert_eq!(out, hex("fe 00 57000780"));

    // RopBufferTooSmall: MaxRopOut fits RopGetStoreState's 10-byte response but not a second; the
    // unexecuted request comes back (MS-OXCROPS §2.2.15.1). Output: header 8 + RopSize 2 + 10 + handle 4.
    let ok = execute_raw(&mut c, &hex("7b 00 00  7b 00 00"), &[h], 8 + 2 + 10 + 4);
    let out = RopBuffer::decode(&ok.rop_payloads().unwrap().remove(0)).unwrap();
    assert_eq!(out.rops, hex("7b 00 00000000 00000000  ff 2200 7b0000"));
    assert_eq!(out.handles, [h]);
    // An object created by the ROP that did not fit is not kept: RopOpenFolder's output slot stays free.
    let mut rops = hex("02 00 00 01");
    rops.extend(fid(0x0d));
    rops.push(0);
    let ok = execute_raw(&mut c, &rops, &[h, FREE], 8 + 2 + 8 + 4);
    let out = RopBuffer::decode(&ok.rop_payloads().unwrap().remove(0)).unwrap();
    // SizeNeeded: header 8 + RopSize 2 + the 8-byte RopOpenFolder response + two handles.
    let mut expected = hex("ff 1a00");
    expected.extend(&rops);
    assert_eq!(out.rops, expected);
    assert_eq!(out.handles, [h, FREE]);

    // RopQueryRows sends the rows that fit: IPM subtree hierarchy, 10 rows of PidTagFolderId (8 bytes + the
    // row flag) do not fit in 60 bytes of room, 5 do.
    let mut rops = hex("02 00 00 01");
    rops.extend(fid(0x09));
    rops.extend(hex("00  04 00 01 02 00  12 00 02 00 0100 14004867"));
    let (_, handles) = execute(&mut c, &rops, &[h, FREE, FREE]);
    let t = handles[2];
    let ok = execute_raw(
        &mut c,
        &hex("15 00 00 00 01 0a00"),
        &[t],
        8 + 2 + 4 + 9 + 5 * 9 + 4,
    );
    let out = RopBuffer::decode(&ok.rop_payloads().unwrap().remove(0)).unwrap();
    let known = HashMap::from([(0u8, vec![PID_TAG_FOLDER_ID])]);
    let requests = vec![
        rop::parse_requests(&hex("15 00 00 00 01 0a00"))
            .unwrap()
            .remove(0)
            .request,
    ];
    let responses = rop::parse_responses_for(&requests, &out.rops, &known).unwrap();
    let RopResponse::QueryRows(q) = &responses[0] else {
        panic!("{responses:?}")
    };
    assert_eq!(q.rows.len(), 5);
    assert_eq!(q.origin, 1);

    // An unknown ROP fails the whole buffer with ecRpcFormat (T8), even after a good one.
    let ok = execute_raw(&mut c, &hex("7b 00 00  06 00 00 00 00"), &[h], 0x10008);
    assert_eq!(
        ExecuteResponse::Success(ok).encode().unwrap(),
        hex("00000000 b6040000 00000000 00000000 00000000")
    );
}

/// ruler (sensepost) never reads handles from responses for its logon and the Inbox: it logs on with
/// LogonId 9 and then sends 0x09000000 for the logon and 0x09000001 for the Inbox it opened next, as Exchange
/// numbers them. This replays its `display` command: Logon, GetFolder(Inbox) with PidTagDisplayName and
/// PidTagSubfolders, then RopGetRulesTable + RopSetColumns(PidTagRuleId, PidTagRuleName) + RopQueryRows(50).
#[test]
fn rulers_hard_coded_handles_work() {
    let lab = Lab::new();
    let server = lab.start();
    let mut c = Mapi::emsmdb(&server, &lab.alice, ALICE_PASSWORD);
    let dn = lab.alice.legacy_exchange_dn.clone();
    c.connect(&dn).expect_code(0);
    // RopLogon, LogonId 9, OpenFlags USE_PER_MDB_REPLID_MAPPING | HOME_LOGON | TAKE_OWNERSHIP.
    let mut logon = hex("fe 09 00 01 0c000001 00000000");
    logon.extend(u16::try_from(dn.len() + 1).unwrap().to_le_bytes());
    logon.extend(dn.as_bytes());
    logon.push(0);
    let (out, handles) = execute(&mut c, &logon, &[FREE]);
    assert_eq!(&out[..6], hex("fe 00 00000000").as_slice());
    assert_eq!(handles, [0x0900_0000]);

    let mut rops = hex("02 09 00 01");
    rops.extend(fid(0x0d));
    rops.extend(hex("00  07 09 01 0000 0100 0200 1f000130 0b000a36"));
    let (out, handles) = execute(&mut c, &rops, &[0x0900_0000, FREE]);
    let mut expected = hex("02 01 00000000 00 00  07 01 00000000 00");
    expected.extend(
        "Inbox"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .chain([0, 0]),
    );
    expected.push(0x00);
    assert_eq!(out, expected);
    assert_eq!(handles, [0x0900_0000, 0x0900_0001]);

    let rops = hex("3f 09 00 01 40
         12 09 01 00 0200 14007466 1f008266
         15 09 01 00 01 3200");
    let (out, _) = execute(&mut c, &rops, &[0x0900_0001, FREE]);
    assert_eq!(
        out,
        hex("3f 01 00000000  12 01 00000000 00  15 01 00000000 02 0000")
    );
}

/// Releasing a logon ends it with every object opened under it; logging on again with the same LogonId
/// starts its handle numbering afresh.
#[test]
fn releasing_a_logon_releases_its_objects() {
    let lab = Lab::new();
    let server = lab.start();
    let (mut c, h, _) = logged_on(&lab, &server);
    assert_eq!(h, 1, "LogonId 0: handle 0 is never given");
    let mut rops = hex("02 00 00 01");
    rops.extend(fid(0x0d));
    rops.push(0);
    let (_, handles) = execute(&mut c, &rops, &[h, FREE]);
    assert_eq!(handles, [1, 2]);
    let (out, _) = execute(
        &mut c,
        &hex("01 00 00  07 00 01 0000 0100 0100 1f000130"),
        &[h, 2],
    );
    assert_eq!(out, hex("07 01 b9040000"), "the Inbox went with its logon");
    let (_, handles) = execute(&mut c, &logon_rop(&lab.alice.legacy_exchange_dn), &[FREE]);
    assert_eq!(handles, [1]);
}
