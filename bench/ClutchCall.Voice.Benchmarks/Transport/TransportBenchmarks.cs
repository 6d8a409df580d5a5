using System.Buffers;
using BenchmarkDotNet.Attributes;
using ClutchCall.Voice.Moqt.Transport;
using ClutchCall.Voice.Moqt.Transport.InMemory;
using ClutchCall.Voice.Moqt.Transport.Qmux;

namespace ClutchCall.Voice.Benchmarks.Transport;

/// <summary>One 20 ms Opus-sized object (160 bytes) over an open stream, and the QMux frame codec.</summary>
[MemoryDiagnoser]
public class TransportBenchmarks
{
    private const int ObjectsPerInvoke = 1000;
    private readonly byte[] _object = new byte[160];
    private readonly ArrayBufferWriter<byte> _frameBuffer = new(256);
    private IMoqtTransportConnection _client = null!;
    private IMoqtTransportConnection _server = null!;
    private IMoqtStream _send = null!;
    private IMoqtStream _receive = null!;

    [GlobalSetup]
    public void Setup()
    {
        (_client, _server) = InMemoryTransport.CreatePair();
        _send = _client.OpenUnidirectionalStreamAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        _receive = _server.AcceptStreamAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult()!;
    }

    [GlobalCleanup]
    public void Cleanup() => _client.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Write, flush, read and consume one object, 1000 times: the in-memory stream path per frame.</summary>
    [Benchmark(OperationsPerInvoke = ObjectsPerInvoke)]
    public async Task InMemoryStream_ObjectRoundTrip()
    {
        var output = _send.Output!;
        var input = _receive.Input!;
        for (var i = 0; i < ObjectsPerInvoke; i++)
        {
            await output.WriteAsync(_object);
            var result = await input.ReadAsync();
            input.AdvanceTo(result.Buffer.End);
        }
    }

    /// <summary>Encode then decode one STREAM frame carrying an object.</summary>
    [Benchmark]
    public int QmuxStreamFrame_EncodeDecode()
    {
        _frameBuffer.ResetWrittenCount();
        QmuxFrameWriter.WriteStream(_frameBuffer, 4, 123_456, _object, fin: false);
        QmuxFrameReader.TryRead(_frameBuffer.WrittenSpan, out var frame, out var consumed);
        return consumed + frame.Data.Length;
    }
}
