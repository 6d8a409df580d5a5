using System.Buffers;
using System.IO.Pipelines;
using ClutchCall.Voice.Moqt.Transport;

namespace ClutchCall.Voice.Moqt.Tests.Transport;

public sealed class TransportBlockPoolTests
{
    [Fact]
    public void Rent_AfterDispose_ReusesTheSameBlock()
    {
        var pool = new TransportBlockPool();
        var first = pool.Rent();
        Assert.Equal(TransportBlockPool.BlockSize, first.Memory.Length);
        first.Dispose();
        Assert.Equal(1, pool.Retained);

        var second = pool.Rent(100);
        Assert.Same(first, second);
        Assert.Equal(0, pool.Retained);
    }

    [Fact]
    public void Dispose_Twice_ReturnsOnceAndDisposedBlockRefusesAccess()
    {
        var pool = new TransportBlockPool();
        var block = pool.Rent();
        block.Dispose();
        block.Dispose();
        Assert.Equal(1, pool.Retained);
        Assert.Throws<ObjectDisposedException>(() => block.Memory);
        Assert.NotSame(pool.Rent(), pool.Rent());
    }

    [Fact]
    public void Rent_LargerThanBlock_OneOffBufferNeverRetained()
    {
        var pool = new TransportBlockPool();
        var big = pool.Rent(TransportBlockPool.BlockSize * 3);
        Assert.True(big.Memory.Length >= TransportBlockPool.BlockSize * 3);
        big.Dispose();
        Assert.Equal(0, pool.Retained);
    }

    [Fact]
    public void Return_BeyondCap_LeftToGc()
    {
        var pool = new TransportBlockPool();
        var blocks = Enumerable.Range(0, TransportBlockPool.MaxRetainedBlocks + 10).Select(_ => pool.Rent()).ToList();
        blocks.ForEach(b => b.Dispose());
        Assert.Equal(TransportBlockPool.MaxRetainedBlocks, pool.Retained);
    }

    [Fact]
    public async Task Pipe_ManyStreamsThroughPool_DataIntactAndBlocksReused()
    {
        var pool = new TransportBlockPool();
        var options = new PipeOptions(pool: pool, useSynchronizationContext: false);
        var payload = Enumerable.Range(0, 10_000).Select(i => (byte)i).ToArray();
        for (var round = 0; round < 20; round++)
        {
            var pipe = new Pipe(options);
            await pipe.Writer.WriteAsync(payload, TestContext.Current.CancellationToken);
            await pipe.Writer.CompleteAsync();
            var result = await pipe.Reader.ReadAtLeastAsync(payload.Length, TestContext.Current.CancellationToken);
            Assert.Equal(payload, result.Buffer.ToArray());
            pipe.Reader.AdvanceTo(result.Buffer.End);
            await pipe.Reader.CompleteAsync();
        }

        // 10,000 bytes span three blocks; every round returned them, so no more than a round's worth exist.
        Assert.InRange(pool.Retained, 3, 4);
    }
}
