fn main() {
    let n: usize = std::env::args().nth(1).unwrap().parse().unwrap();
    print!("{}", iocp_sim::scenario::generate::workload(n));
}
