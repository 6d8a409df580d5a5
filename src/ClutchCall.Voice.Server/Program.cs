namespace ClutchCall.Voice.Server;

internal static class Program
{
    public static int Main(string[] args)
    {
        Console.WriteLine("ClutchCall.Voice server: nothing wired yet.");
        return args.Length;
    }
}
