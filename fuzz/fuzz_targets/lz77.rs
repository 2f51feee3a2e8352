//! LZ77 (DIRECT2) decompression with an attacker-chosen SizeActual (a u16 on the wire), and compression
//! round trips.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mapish_wire::lz77;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let size = usize::from(u16::from_le_bytes([data[0], data[1]]));
    let _ = lz77::decompress(&data[2..], size);
    let packed = lz77::compress(data);
    assert_eq!(
        lz77::decompress(&packed, data.len()).expect("own output decompresses"),
        data
    );
});
