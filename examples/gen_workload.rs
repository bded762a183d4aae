//! Prints a generated scenario: `gen_workload STEPS` (the benchmark
//! workload: two workers, every kind of step) or `gen_workload wide THREADS
//! STEPS` (many threads; views grow as steps × threads).
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize| -> usize {
        args.get(i).and_then(|a| a.parse().ok()).unwrap_or_else(|| {
            eprintln!("usage: gen_workload STEPS | gen_workload wide THREADS STEPS");
            std::process::exit(2)
        })
    };
    if args.first().map(String::as_str) == Some("wide") {
        print!("{}", iocp_sim::scenario::generate::wide(num(1), num(2)));
    } else {
        print!("{}", iocp_sim::scenario::generate::workload(num(0)));
    }
}
