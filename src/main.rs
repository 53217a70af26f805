fn main() {
    std::process::exit(deploycheck::run(std::env::args_os()));
}
