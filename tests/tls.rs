//! A futures-io library on the runtime with no adapter: TLS (rustls through
//! futures-rustls, certificate made here with rcgen) over `TcpStream`, an
//! echo of 256 KiB checked byte for byte, on every flavour.

#[macro_use]
mod common;

use futures_rustls::rustls::{self, pki_types};
use futures_rustls::{client, server, TlsAcceptor, TlsConnector};
use runtime::io::{AsyncReadExt, AsyncWriteExt};
use runtime::net::{TcpListener, TcpStream};
use runtime::task::JoinHandle;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A self-signed certificate for "localhost" and the two configs using it.
fn configs() -> (Arc<rustls::ServerConfig>, Arc<rustls::ClientConfig>) {
    let rcgen::CertifiedKey { cert, key_pair } =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let cert_der = cert.der().clone();
    let key = pki_types::PrivateKeyDer::Pkcs8(pki_types::PrivatePkcs8KeyDer::from(
        key_pair.serialize_der(),
    ));
    let server = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert_der.clone()], key)
        .unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert_der).unwrap();
    let client = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    (Arc::new(server), Arc::new(client))
}

/// A server task on a fresh 127.0.0.1 port that accepts one connection,
/// makes the TLS handshake with `cfg`, and runs `serve` on its outcome.
async fn serve_one<F, Fut>(
    cfg: Arc<rustls::ServerConfig>,
    serve: F,
) -> (SocketAddr, JoinHandle<Fut::Output>)
where
    F: FnOnce(std::io::Result<server::TlsStream<TcpStream>>) -> Fut + Send + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let acceptor = TlsAcceptor::from(cfg);
    let server = runtime::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        serve(acceptor.accept(tcp).await).await
    });
    (addr, server)
}

/// Connects to `addr` and makes the TLS handshake for "localhost".
async fn connect(
    addr: SocketAddr,
    cfg: Arc<rustls::ClientConfig>,
) -> std::io::Result<client::TlsStream<TcpStream>> {
    let tcp = TcpStream::connect(addr).await.unwrap();
    let name = pki_types::ServerName::try_from("localhost").unwrap();
    TlsConnector::from(cfg).connect(name, tcp).await
}

rt_test! {
    fn tls_echo_over_tcp(rt) {
        let (server_cfg, client_cfg) = configs();
        rt.block_on(async move {
            let (addr, server) = serve_one(server_cfg, |tls| async move {
                let mut tls = tls.unwrap();
                let mut buf = vec![0u8; 16 * 1024];
                let mut echoed = 0usize;
                loop {
                    let n = tls.read(&mut buf).await.unwrap();
                    if n == 0 {
                        break;
                    }
                    tls.write_all(&buf[..n]).await.unwrap();
                    tls.flush().await.unwrap();
                    echoed += n;
                }
                tls.close().await.unwrap();
                echoed
            })
            .await;
            let tls = connect(addr, client_cfg).await.unwrap();
            let (mut reader, mut writer) = futures::io::AsyncReadExt::split(tls);
            let data: Vec<u8> = (0..256 * 1024u32).map(|i| (i * 31 % 251) as u8).collect();
            let expected = data.clone();
            let send = async move {
                writer.write_all(&data).await.unwrap();
                writer.flush().await.unwrap();
                writer.close().await.unwrap();
            };
            let recv = async move {
                let mut got = Vec::new();
                reader.read_to_end(&mut got).await.unwrap();
                got
            };
            let ((), got) = runtime::join!(send, recv);
            assert_eq!(got.len(), expected.len());
            assert!(got == expected, "echoed bytes differ");
            assert_eq!(server.await.unwrap(), expected.len());
        });
    }
}

/// A client that does not trust the certificate fails the handshake with
/// an error (not a hang).
#[test]
fn untrusted_certificate_is_an_error() {
    let (server_cfg, _) = configs();
    let (_, other_client) = configs();
    let rt = common::multi_thread(2);
    rt.block_on(async move {
        let (addr, server) = serve_one(server_cfg, |tls| async move { tls.is_err() }).await;
        let err = connect(addr, other_client).await.unwrap_err();
        assert!(err.to_string().contains("certificate"), "{err}");
        assert!(
            server.await.unwrap(),
            "the server saw the handshake fail too"
        );
    });
}
