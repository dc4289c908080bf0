; Inno Setup 6 script: the Windows installer of GenImg Desktop, made from PyInstaller's one-folder build.
;
;   pyinstaller --noconfirm --clean packaging\genimg.spec         -> dist\genimg\ (genimg.exe, GenImg Desktop.exe)
;   python -c "from PIL import Image; Image.open('resources/genimg.png').save('build/genimg.ico', sizes=[(16,16),(32,32),(48,48),(64,64),(128,128),(256,256)])"
;   iscc /DAppVersion=0.1.0 packaging\windows\genimg.iss          -> dist\GenImg-Desktop-0.1.0-windows-x64-setup.exe
;
; .github/workflows/package.yml runs exactly this on windows-latest. It has NOT been built or run on
; the project's own (Linux) machines: see README, "Packaging".
;
; Per-user install by default (no administrator needed; the dialog offers all users). The Start menu
; shortcut starts GenImg Desktop.exe (windowed); genimg.exe is the console command (`genimg --self-test`,
; `genimg inpaint ...`), put on PATH only when the user ticks that task. Uninstall removes the whole
; program folder, including anything created in it at run time; the user's settings and own models
; (in %LOCALAPPDATA%\genimg-desktop) are theirs and stay.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "GenImg Desktop"
#define DistDir "..\..\dist\genimg"
#define IconFile "..\..\build\genimg.ico"

[Setup]
AppId={{6C0D8C5E-6F0B-4C55-9E5E-3E2B7A1F9A10}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=GenImg Desktop contributors
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist
OutputBaseFilename=GenImg-Desktop-{#AppVersion}-windows-x64-setup
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\GenImg Desktop.exe
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
LZMANumBlockThreads=4
WizardStyle=modern
ChangesEnvironment=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "addtopath"; Description: "Add the genimg command to PATH"; GroupDescription: "Command line:"; Flags: unchecked

[Files]
Source: "{#DistDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\GenImg Desktop.exe"; WorkingDir: "{userdocs}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\GenImg Desktop.exe"; WorkingDir: "{userdocs}"; Tasks: desktopicon

[Registry]
; PATH for the current user (per-user install) or the machine (all-users install); removed on uninstall.
Root: HKA; Subkey: "{code:EnvKey}"; ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; \
    Tasks: addtopath; Check: NeedsAddPath(ExpandConstant('{app}'))

[Run]
Filename: "{app}\GenImg Desktop.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
Type: filesandordirs; Name: "{app}"

[Code]
function EnvKey(Param: String): String;
begin
  if IsAdminInstallMode then
    Result := 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment'
  else
    Result := 'Environment';
end;

function NeedsAddPath(Dir: String): Boolean;
var
  Paths: String;
begin
  if not RegQueryStringValue(HKA, EnvKey(''), 'Path', Paths) then
  begin
    Result := True;
    exit;
  end;
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Paths) + ';') = 0;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Paths, Dir: String;
  P: Integer;
begin
  if CurUninstallStep <> usPostUninstall then
    exit;
  if not RegQueryStringValue(HKA, EnvKey(''), 'Path', Paths) then
    exit;
  Dir := ExpandConstant('{app}');
  P := Pos(';' + Uppercase(Dir), Uppercase(Paths));
  if P > 0 then
  begin
    Delete(Paths, P, Length(Dir) + 1);
    RegWriteExpandStringValue(HKA, EnvKey(''), 'Path', Paths);
  end;
end;
