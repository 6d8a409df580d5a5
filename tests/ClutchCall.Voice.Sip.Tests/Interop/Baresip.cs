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

    public string Log => _process.Output;

    public static Baresip Start(string account, string microphoneWav8k, int seconds)
    {
        if (!File.Exists(Binary))
        {
            Assert.Skip($"SKIPPED: {Binary} is not installed (apt-get install baresip)");
        }

        var dir = System.IO.Directory.CreateTempSubdirectory("baresip-").FullName;
        var port = Sipp.FreeUdpPort();
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
module_app		account.so
module_app		menu.so
snd_path		{dir}

""");
        File.WriteAllText(Path.Combine(dir, "accounts"), account + "\n");
        return new Baresip(ExternalProcess.Start(Binary, $"-f {dir} -t {seconds}", dir, "baresip"), dir);
    }

    public Task<bool> WaitForOutputAsync(string text, TimeSpan timeout, CancellationToken ct) => _process.WaitForOutputAsync(text, timeout, ct);

    public Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken ct) => _process.WaitForExitAsync(timeout, ct);

    public void Dispose() => _process.Dispose();
}
