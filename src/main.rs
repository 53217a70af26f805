fn main() {
    deploycheck::tune_allocator();
    std::process::exit(deploycheck::run(std::env::args_os(), std::process::exit));
}
