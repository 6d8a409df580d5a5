using ClutchCall.Voice.TestSupport.Sipp;

namespace ClutchCall.Voice.Sip.Tests.Interop;

/// <summary>
/// kamailio as a carrier that demands Digest authentication: a minimal config written per test (registrar,
/// record-routing proxy, REGISTER and INVITE challenged, credentials in a db_text subscriber table).
/// </summary>
internal sealed class Kamailio : IDisposable
{
    private const string Binary = "/usr/sbin/kamailio";

    private readonly ExternalProcess _process;

    private Kamailio(ExternalProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Log => _process.Output;

    /// <summary>Users with plain passwords (the auth_db module computes HA1 itself).</summary>
    public static async Task<Kamailio> StartAsync(string algorithm, int minExpires, IReadOnlyDictionary<string, string> users, CancellationToken ct)
    {
        if (!File.Exists(Binary))
        {
            Assert.Skip($"SKIPPED: {Binary} is not installed (apt-get install kamailio)");
        }

        var dir = Directory.CreateTempSubdirectory("kamailio-").FullName;
        var db = Directory.CreateDirectory(Path.Combine(dir, "db")).FullName;
        var rows = string.Concat(users.Select((u, i) => $"{i + 1}:{u.Key}:127.0.0.1:{u.Value}:x:x\n"));
        File.WriteAllText(Path.Combine(db, "subscriber"), "id(int,auto) username(string) domain(string) password(string) ha1(string) ha1b(string) \n" + rows);
        File.WriteAllText(Path.Combine(db, "version"), "table_name(string) table_version(int) \nsubscriber:7\nlocation:9\n");
        var port = SippProcess.FreeUdpPort();
        var cfg = Path.Combine(dir, "kamailio.cfg");
        File.WriteAllText(cfg, Config(port, db, algorithm, minExpires));
        var p = ExternalProcess.Start(Binary, $"-f {cfg} -P {dir}/k.pid -w {dir} -Y {dir} -E -DD", dir, "kamailio");
        var k = new Kamailio(p, port);
        if (!await p.WaitForOutputAsync("Listening on", TimeSpan.FromSeconds(10), ct))
        {
            var log = p.Output;
            k.Dispose();
            Assert.Fail("kamailio did not start: " + log);
        }

        await Task.Delay(300, ct);
        return k;
    }

    private static string Config(int port, string db, string algorithm, int minExpires) => $$"""
#!KAMAILIO
debug=2
log_stderror=yes
children=2
auto_aliases=no
listen=udp:127.0.0.1:{{port}}
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "db_text.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "auth.so"
loadmodule "auth_db.so"
modparam("auth_db", "db_url", "text://{{db}}")
modparam("auth_db", "calculate_ha1", yes)
modparam("auth_db", "password_column", "password")
modparam("auth_db", "use_domain", 0)
modparam("auth", "algorithm", "{{algorithm}}")
modparam("registrar", "min_expires", {{minExpires}})
modparam("registrar", "min_expires_mode", 1)
modparam("usrloc", "db_mode", 0)
request_route {
	if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
	force_rport();
	xlog("L_INFO", "REQ $rm $ru from $fu src $si:$sp auth $hdr(Authorization)$hdr(Proxy-Authorization)\n");
	if (has_totag()) {
		if (loose_route()) { t_relay(); exit; }
		if (is_method("ACK")) { if (t_check_trans()) { t_relay(); } exit; }
		sl_send_reply("404", "Not here");
		exit;
	}
	if (is_method("CANCEL")) { if (t_check_trans()) { t_relay(); } exit; }
	t_check_trans();
	if (is_method("REGISTER")) {
		if (!www_authorize("$td", "subscriber")) { www_challenge("$td", "1"); exit; }
		consume_credentials();
		if (!save("location")) { sl_reply_error(); }
		xlog("L_INFO", "REGISTERED $tu expires $hdr(Expires)\n");
		exit;
	}
	if (is_method("INVITE|MESSAGE|REFER")) {
		if (!proxy_authorize("$fd", "subscriber")) { proxy_challenge("$fd", "1"); exit; }
		consume_credentials();
		xlog("L_INFO", "AUTHORIZED $rm from $fu\n");
	}
	record_route();
	if (!lookup("location")) { sl_send_reply("404", "Not Found"); exit; }
	t_relay();
}
""";

    public void Dispose() => _process.Dispose();
}
