using ClutchCall.Voice.TestSupport.Sipp;

namespace ClutchCall.Voice.Sip.Tests.Interop;

/// <summary>
/// baresip as a handset: registers an account (auto-answer, PCMA only), plays a WAV file as its microphone
/// and dumps what it decodes with the sndfile module.
/// </summary>
internal sealed class Baresip : IDisposable
{
    private const string Binary = "/usr/bin/baresip";

    private readonly ExternalProcess _process;

    private Baresip(ExternalProcess process, string directory)
    {
        _process = process;
        Directory = directory;
    }

    public string Directory { get; }

    /// <summary>The port of <c>sip_listen</c>.</summary>
    public int SipPort { get; private init; }

    public string Log => _process.Output;

    public static Baresip Start(string account, string microphoneWav8k, int seconds) => Start(account, microphoneWav8k, seconds, extraModules: [], extraConfig: string.Empty);

    /// <summary>
    /// Starts baresip with more modules (e.g. <c>srtp.so</c> for SDES media encryption, RFC 4568) and more config
    /// lines (e.g. <c>sip_certificate</c> for SIP over TLS). <see cref="SipPort"/> is the UDP/TCP port it listens on.
    /// </summary>
    public static Baresip Start(string account, string microphoneWav8k, int seconds, IReadOnlyList<string> extraModules, string extraConfig, int? sipPort = null)
    {
        if (!File.Exists(Binary))
        {
            Assert.Skip($"SKIPPED: {Binary} is not installed (apt-get install baresip)");
        }

        var dir = System.IO.Directory.CreateTempSubdirectory("baresip-").FullName;
        var port = sipPort ?? SippProcess.FreeUdpPort();
        var modules = string.Concat(extraModules.Select(m => $"module\t\t\t{m}\n"));
        File.WriteAllText(Path.Combine(dir, "config"), $"""
poll_method		epoll
sip_listen		127.0.0.1:{port}
audio_player		aubridge,nil
audio_source		aufile,{microphoneWav8k}
audio_alert		aubridge,nil
ausrc_srate		8000
ausrc_channels		1
auplay_srate		8000
auplay_channels		1
module_path		/usr/lib/baresip/modules
module			g711.so
module			aufile.so
module			aubridge.so
module			sndfile.so
{modules}{extraConfig}
module_app		account.so
module_app		menu.so
snd_path		{dir}

""");
        File.WriteAllText(Path.Combine(dir, "accounts"), account + "\n");
        return new Baresip(ExternalProcess.Start(Binary, $"-f {dir} -t {seconds}", dir, "baresip"), dir) { SipPort = port };
    }

    public Task<bool> WaitForOutputAsync(string text, TimeSpan timeout, CancellationToken ct) => _process.WaitForOutputAsync(text, timeout, ct);

    public Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken ct) => _process.WaitForExitAsync(timeout, ct);

    public void Dispose() => _process.Dispose();
}
