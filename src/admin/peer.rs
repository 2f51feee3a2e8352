//! Who may use the admin endpoint: the uid that owns the serving process, and root.
//!
//! The socket's mode (0600) already keeps other users out through the file system; the peer
//! credential check is the second lock, for the moment between bind and chmod and for a store
//! directory with looser permissions than intended.

use std::os::unix::net::UnixStream;

use nix::sys::socket::{getsockopt, sockopt::PeerCredentials};

/// The uid of the process at the other end of `stream` (SO_PEERCRED, set by the kernel at connect).
pub fn peer_uid(stream: &UnixStream) -> std::io::Result<u32> {
    let creds = getsockopt(stream, PeerCredentials).map_err(std::io::Error::from)?;
    Ok(creds.uid())
}

/// The effective uid of this process: the owner the endpoint serves.
pub fn own_uid() -> u32 {
    nix::unistd::geteuid().as_raw()
}

/// Whether a peer running as `peer` may talk to a server running as `owner`.
pub fn allowed(peer: u32, owner: u32) -> bool {
    peer == owner || peer == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_owner_and_root_are_allowed() {
        assert!(allowed(1000, 1000));
        assert!(allowed(0, 1000));
        assert!(!allowed(65534, 1000));
        assert!(!allowed(1001, 1000));
        assert!(allowed(0, 0));
        assert!(!allowed(65534, 0));
    }

    #[test]
    fn a_socket_pair_reports_our_own_uid() {
        let (a, _b) = UnixStream::pair().expect("pair");
        assert_eq!(peer_uid(&a).expect("peer cred"), own_uid());
    }
}
