// A self-signed certificate for 127.0.0.1, made in this process with OpenSSL, so that the
// bench's private redis-server can listen with TLS without an openssl program at hand. It is
// its own CA: a client trusts it with tls-ca=<certPath>.
#pragma once

#include <string>

namespace shop::bench {

bool makeSelfSignedCertificate(const std::string& certPath, const std::string& keyPath, std::string& error);

} // namespace shop::bench
