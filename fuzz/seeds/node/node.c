/* A stand-in for a node program, compiled by fuzz.sh with gcc: its roots side by side in .rodata, as
 * src/node_root_certs.h puts them, its process.config text and its OpenSSL's OPENSSLDIR. */
#include <stdio.h>
static const char *const root_certs[] = {
"-----BEGIN CERTIFICATE-----\n"
"MIIB9jCCAZygAwIBAgICEAcwCgYIKoZIzj0EAwIwYjELMAkGA1UEBhMCVVMxFTAT\n"
"BgNVBAoMDEV4YW1wbGUgQ29ycDEUMBIGA1UECwwLSVQgU2VjdXJpdHkxJjAkBgNV\n"
"BAMMHUV4YW1wbGUgQ29ycCBJbnRlcm5hbCBSb290IENBMB4XDTI0MDEwMTAwMDAw\n"
"MFoXDTQ0MDEwMTAwMDAwMFowYjELMAkGA1UEBhMCVVMxFTATBgNVBAoMDEV4YW1w\n"
"bGUgQ29ycDEUMBIGA1UECwwLSVQgU2VjdXJpdHkxJjAkBgNVBAMMHUV4YW1wbGUg\n"
"Q29ycCBJbnRlcm5hbCBSb290IENBMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n"
"s43ZrN9drs9fvYMR9xkOROUddvD/N2DxZ+Cfkg9MOplswTjFwvXZd+TJRz95E9Hw\n"
"OiW+SAp5Nifqf4X41gvB/KNCMEAwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8E\n"
"BAMCAQYwHQYDVR0OBBYEFLPuVPCiRdihcQwwgKK1v2+NHBa8MAoGCCqGSM49BAMC\n"
"A0gAMEUCIQCUNxuq2pytiAdpTpkZ1DUvuM/GxX4WXLBHWEBl5C/5nQIgKQBzFiv6\n"
"zuTrTsVnXmffSfM6WSqLWzFhHswb2Ne5seQ=\n"
"-----END CERTIFICATE-----\n"
"",
"-----BEGIN CERTIFICATE-----\n"
"MIIDVDCCAjygAwIBAgICEAQwDQYJKoZIhvcNAQELBQAwSzELMAkGA1UEBhMCVVMx\n"
"GzAZBgNVBAoMElRydXN0Z2F0ZSBGaXh0dXJlczEfMB0GA1UEAwwWVHJ1c3RnYXRl\n"
"IEV4cGlyZWQgUm9vdDAeFw0xMDAxMDEwMDAwMDBaFw0yMDAxMDEwMDAwMDBaMEsx\n"
"CzAJBgNVBAYTAlVTMRswGQYDVQQKDBJUcnVzdGdhdGUgRml4dHVyZXMxHzAdBgNV\n"
"BAMMFlRydXN0Z2F0ZSBFeHBpcmVkIFJvb3QwggEiMA0GCSqGSIb3DQEBAQUAA4IB\n"
"DwAwggEKAoIBAQCgiD8YLGtg1EJdCPPVFKKdIhEz/lxXdC1jX6FYj0oTY6MDSEPi\n"
"IDlLffEe3Rcm33fj6NDVRbYLcDBdSXZy6EMiFb4ci5t48Na6fo8js0XthhAC+3D/\n"
"RZKc+WRIDUpHGAzQ+qZUDmv5CM+xQOXe+MglYWhIpaB/VuhpYI2zFzpgzEOIsNjI\n"
"dvhFTMuCT0F7UUNmoe8sLjXTH6e9Mby2LSPv9f8JYYhKneN9w6TQDCzqFh9ghvT0\n"
"fZDuSe5B9E+H950yyhmKOMj56QPaVe63zFCBRNSt/aZTRhp0bhzOHY8l4IaQfw+4\n"
"+1h8yPLx/O8uq3aq6VjsZr/8XDIHPQzQuexFAgMBAAGjQjBAMA8GA1UdEwEB/wQF\n"
"MAMBAf8wDgYDVR0PAQH/BAQDAgEGMB0GA1UdDgQWBBQQ0cBcU2mYbydhB9Q/4CCY\n"
"47/X+TANBgkqhkiG9w0BAQsFAAOCAQEAIfpO3L97gD6M7pPlj7q08hfHfvOTdDqm\n"
"C87dKID3BI4SMXqLkIhadgU5BjfsjJfLbXZaDn4J8WxDKceKSs0tdC/w1+vglxpC\n"
"b4NtT+1SvZjBDf0sKq41ifVtdNSEr7zq/AF2+WwnzcOxVoqUnx8FBJV68HnKU6vF\n"
"2cf34eMM1VrPmKNWdqBovDg5UoPVBD+XbqdbAQGoWFJp2Wz/RKL9fuGgwQOdHkXh\n"
"BYQZ8BjoRPVdULt2JqYtV5N1GQtx8iVt7JdslwgnGyzSN6yewdEui9b3c0yjGkE8\n"
"NikvACdeYYQ5LPvlwjNJBVLDYmDlGovetzl5v5NFmWZmfu3MiBoQHg==\n"
"-----END CERTIFICATE-----\n"
""
};
#ifdef SHARED
static const char config[] = "{\n  \"target_defaults\": {\"defines\": [\"NODE_OPENSSL_CERT_STORE\"]},\n"
  "  \"variables\": { \"node_module_version\": 115, \"node_shared_openssl\": true }}";
#else
static const char config[] = "{\n  \"target_defaults\": {\"defines\": [\"NODE_OPENSSL_CONF_NAME=nodejs_conf\"]},\n"
  "  \"variables\": { \"node_module_version\": 137, \"node_shared_openssl\": false }}";
static const char dir[] = "OPENSSLDIR: \"/etc/ssl\"";
#endif
static const char release[] = "https://nodejs.org/download/release/v24.19.0/node-v24.19.0.tar.gz";
int main(int argc, char **argv) {
  (void)argv;
  if (argc > 1) {
    for (unsigned i = 0; i < sizeof root_certs / sizeof *root_certs; i++) puts(root_certs[i]);
    puts(config);
    puts(release);
#ifndef SHARED
    puts(dir);
#endif
  }
  return 0;
}
