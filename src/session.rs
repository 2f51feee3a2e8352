//! Every Session the binary creates comes from here, so each one has the edge's services plugged
//! in: today the network probe Test-OutlookConnectivity runs (the command layer has no HTTP client
//! of its own). The one-shot runner, scripts, stdin and the REPL all call [`new_session`].

use mapish_commands::run::Session;
use mapish_store::Store;

/// A session over `store` on `local_server`, with the probe client.
pub fn new_session(store: Store, local_server: Option<String>) -> Session {
    Session::new(store, local_server).with_probe(mapish_probe::probe())
}
