use clap::Parser;
use entra_sandbox::{Options, serve};

#[tokio::main]
async fn main() {
    let options = Options::parse();
    if let Err(e) = serve(options).await {
        eprintln!("entra-sandbox: {e}");
        std::process::exit(1);
    }
}
