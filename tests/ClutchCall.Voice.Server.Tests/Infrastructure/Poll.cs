using System.Diagnostics;

namespace ClutchCall.Voice.Server.Tests.Infrastructure;

/// <summary>Polling for end-to-end tests: generous deadlines, so a loaded machine slows a test down instead of failing it.</summary>
internal static class Poll
{
    /// <summary>Polls <paramref name="condition"/> every <paramref name="interval"/> ms until it holds; fails naming <paramref name="what"/> after <paramref name="deadline"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan deadline, int interval = 50) =>
        await ForAsync(async () => await condition() ? what : null, what, deadline, interval);

    /// <summary>Polls <paramref name="condition"/> every <paramref name="interval"/> ms until it holds; fails naming <paramref name="what"/> after <paramref name="deadline"/>.</summary>
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan deadline, int interval = 50) =>
        UntilAsync(() => Task.FromResult(condition()), what, deadline, interval);

    /// <summary>Polls <paramref name="probe"/> until it returns a value; fails naming <paramref name="what"/> after <paramref name="deadline"/>.</summary>
    public static async Task<T> ForAsync<T>(Func<Task<T?>> probe, string what, TimeSpan deadline, int interval = 50)
        where T : class
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (clock.Elapsed > deadline)
            {
                Assert.Fail($"timed out after {deadline.TotalSeconds} s waiting for {what}");
            }

            await Task.Delay(interval, TestContext.Current.CancellationToken);
        }
    }
}
