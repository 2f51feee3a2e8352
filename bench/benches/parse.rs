//! Criterion: the parser alone, and parse + bind + run, over the one-liner corpus (lines per second).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mapish_bench::CORPUS;
use mapish_store::Store;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("corpus");
    g.throughput(Throughput::Elements(CORPUS.len() as u64));
    g.bench_function("parse", |b| {
        b.iter(|| {
            for line in CORPUS {
                std::hint::black_box(mapish_commands::lang::parse(line).is_ok());
            }
        })
    });
    let store = Store::open_temporary().expect("a temporary store");
    store
        .initialize(&mapish_store::InitParams {
            organization: "Contoso".into(),
            server: "EX01".into(),
            fqdn: "ex01.contoso.com".into(),
        })
        .expect("initialize the store");
    let mut session = mapish_commands::run::Session::new(store, Some("EX01".into()));
    g.bench_function("parse_bind_run", |b| {
        b.iter(|| {
            for line in CORPUS {
                let mut host = mapish_commands::run::RecordingHost::default();
                session.run_script(line, &mut host);
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
