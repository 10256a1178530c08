// An EC P-256 key and an X.509 v3 certificate for IP 127.0.0.1 signed with it, valid for a
// day, written as PEM (the key with mode 0600).
#include "self_signed.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <sys/stat.h>

namespace shop::bench {

namespace {

template <auto Free>
struct Deleter {
    template <typename T>
    void operator()(T* p) const { Free(p); }
};

std::string sslError(const char* what)
{
    char text[256] = "unknown error";
    if (const unsigned long code = ERR_get_error())
        ERR_error_string_n(code, text, sizeof text);
    ERR_clear_error();
    return std::string(what) + ": " + text;
}

bool addExtension(X509* cert, int nid, const char* value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

bool writePem(const std::string& path, mode_t mode, bool key, EVP_PKEY* pkey, X509* cert)
{
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (!f)
        return false;
    ::chmod(path.c_str(), mode);
    const bool ok = key ? PEM_write_PrivateKey(f, pkey, nullptr, nullptr, 0, nullptr, nullptr) == 1 : PEM_write_X509(f, cert) == 1;
    return std::fclose(f) == 0 && ok;
}

} // namespace

bool makeSelfSignedCertificate(const std::string& certPath, const std::string& keyPath, std::string& error)
{
    std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>> key(EVP_EC_gen("P-256"));
    if (!key) {
        error = sslError("cannot make a key");
        return false;
    }
    std::unique_ptr<X509, Deleter<X509_free>> cert(X509_new());
    X509_NAME* name = cert ? X509_get_subject_name(cert.get()) : nullptr;
    const bool made = cert && X509_set_version(cert.get(), 2) == 1 && ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1) == 1
                      && X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60) && X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400)
                      && X509_set_pubkey(cert.get(), key.get()) == 1
                      && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0) == 1
                      && X509_set_issuer_name(cert.get(), name) == 1
                      && addExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE")
                      && addExtension(cert.get(), NID_subject_alt_name, "IP:127.0.0.1")
                      && X509_sign(cert.get(), key.get(), EVP_sha256()) > 0;
    if (!made) {
        error = sslError("cannot make a certificate");
        return false;
    }
    if (!writePem(keyPath, 0600, true, key.get(), nullptr) || !writePem(certPath, 0644, false, nullptr, cert.get())) {
        error = "cannot write the certificate to " + certPath;
        return false;
    }
    return true;
}

} // namespace shop::bench
