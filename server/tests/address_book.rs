//! The address book endpoint over real HTTP: Bind, Unbind, GetMailboxUrl, GetAddressBookUrl, PING, the
//! request types not served yet, and cookie separation from the mailbox endpoint.

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
    let r = n.send("QueryRows", &[]);
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
