using PurchaseGrains.Silo;

var app = SiloApp.Create(args);
app.Run();

/// <summary>Entry point, visible to tests.</summary>
public partial class Program;
